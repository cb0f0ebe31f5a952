// The trust an IAMRole's spec.serviceAccount asks for: a Kubernetes ServiceAccount of the role's
// namespace may assume the role, through EKS Pod Identity or IRSA, on the cluster the operator's
// flags name. And what the user must then do so that the ServiceAccount's Pods get the role.
//
// Pod Identity (EKS user guide, "Create IAM role with trust policy required by EKS Pod Identity",
// pod-id-role): principal pods.eks.amazonaws.com, sts:AssumeRole and sts:TagSession; EKS Pod
// Identity sends the session tags eks-cluster-arn, eks-cluster-name, kubernetes-namespace,
// kubernetes-service-account, kubernetes-pod-name and kubernetes-pod-uid, and the guide restricts a
// role to a ServiceAccount with StringEquals on aws:RequestTag/kubernetes-namespace and
// aws:RequestTag/kubernetes-service-account. The cluster is pinned by aws:RequestTag/eks-cluster-arn,
// the account by aws:SourceAccount (the confused-deputy key the findings ask of a service
// principal). No aws:SourceArn: AWS does not document the ARN EKS Pod Identity sends as the
// source (third-party policies name the association, podidentityassociation/<cluster>/*, and at
// least one report has that condition deny every Pod), and a wrong one would lock out every Pod.
//
// IRSA (EKS user guide, "Assign IAM roles to Kubernetes service accounts"): principal Federated,
// the cluster's OIDC provider; sts:AssumeRoleWithWebIdentity; StringEquals on <issuer>:sub =
// system:serviceaccount:<namespace>:<name> and <issuer>:aud = sts.amazonaws.com.
import type { IAMRoleStatus, ServiceAccountTrust } from '../../api/iamrole.ts';
import type { TrustStatement } from '../../api/policy-document.ts';
import { TerminalError } from '../../runtime/errors.ts';

/** The cluster the operator's Pods-facing trust names (its flags). */
export interface WorkloadIdentitySettings {
  /** --eks-cluster-arn: the EKS cluster whose Pod Identity may assume roles. */
  eksClusterArn?: string;
  /** --eks-oidc-provider-arn: the IAM OIDC provider of the cluster's ServiceAccount token issuer (IRSA). */
  oidcProviderArn?: string;
}

const EKS_CLUSTER_ARN = /^arn:aws[a-z-]*:eks:[a-z0-9-]+:(\d{12}):cluster\/([0-9A-Za-z][A-Za-z0-9_-]{0,99})$/;
const OIDC_PROVIDER_ARN = /^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/([^\s*?]+)$/;

/** The flag values, checked: an error message naming the flag, for the command line. */
export function checkWorkloadIdentitySettings(settings: WorkloadIdentitySettings): string | undefined {
  if (settings.eksClusterArn && !EKS_CLUSTER_ARN.test(settings.eksClusterArn)) {
    return `--eks-cluster-arn must be an EKS cluster ARN (arn:aws:eks:REGION:ACCOUNT:cluster/NAME), not ${settings.eksClusterArn}`;
  }
  if (settings.oidcProviderArn && !OIDC_PROVIDER_ARN.test(settings.oidcProviderArn)) {
    return `--eks-oidc-provider-arn must be an IAM OIDC provider ARN (arn:aws:iam::ACCOUNT:oidc-provider/oidc.eks.REGION.amazonaws.com/id/ID), not ${settings.oidcProviderArn}`;
  }
  return undefined;
}

function clusterOf(settings: WorkloadIdentitySettings): { arn: string; account: string; name: string } {
  const arn = settings.eksClusterArn;
  const match = arn ? EKS_CLUSTER_ARN.exec(arn) : null;
  if (!arn || !match) {
    throw new TerminalError('OperatorFlagMissing',
      'spec.serviceAccount.mechanism podIdentity needs the EKS cluster its Pods run on: run the operator with --eks-cluster-arn (chart: workloadIdentity.eksClusterArn), or use mechanism irsa');
  }
  return { arn, account: match[1]!, name: match[2]! };
}

function issuerOf(settings: WorkloadIdentitySettings): { providerArn: string; issuer: string } {
  const providerArn = settings.oidcProviderArn;
  const match = providerArn ? OIDC_PROVIDER_ARN.exec(providerArn) : null;
  if (!providerArn || !match) {
    throw new TerminalError('OperatorFlagMissing',
      'spec.serviceAccount.mechanism irsa needs the cluster\'s IAM OIDC provider: run the operator with --eks-oidc-provider-arn (chart: workloadIdentity.oidcProviderArn), or use mechanism podIdentity');
  }
  return { providerArn, issuer: match[1]! };
}

/** The trust statement that lets the ServiceAccount `sa` of `namespace` assume the role; refuses when the flag it needs is missing. */
export function serviceAccountTrustStatement(sa: ServiceAccountTrust, namespace: string, settings: WorkloadIdentitySettings): TrustStatement {
  if (sa.mechanism === 'podIdentity') {
    const cluster = clusterOf(settings);
    return {
      sid: 'EksPodIdentity',
      effect: 'Allow',
      principal: { service: 'pods.eks.amazonaws.com' },
      action: ['sts:AssumeRole', 'sts:TagSession'],
      condition: {
        StringEquals: {
          'aws:SourceAccount': cluster.account,
          'aws:RequestTag/eks-cluster-arn': cluster.arn,
          'aws:RequestTag/kubernetes-namespace': namespace,
          'aws:RequestTag/kubernetes-service-account': sa.name,
        },
      },
    };
  }
  const { providerArn, issuer } = issuerOf(settings);
  return {
    sid: 'EksServiceAccount',
    effect: 'Allow',
    principal: { federated: providerArn },
    action: ['sts:AssumeRoleWithWebIdentity'],
    condition: { StringEquals: { [`${issuer}:sub`]: `system:serviceaccount:${namespace}:${sa.name}`, [`${issuer}:aud`]: 'sts.amazonaws.com' } },
  };
}

/** What the user must do so that the ServiceAccount's Pods get the role `roleArn`. */
export function serviceAccountStatus(sa: ServiceAccountTrust, namespace: string, settings: WorkloadIdentitySettings, roleArn: string): NonNullable<IAMRoleStatus['serviceAccount']> {
  if (sa.mechanism === 'podIdentity') {
    const cluster = clusterOf(settings);
    return {
      name: sa.name, mechanism: sa.mechanism,
      podIdentityAssociation: { clusterName: cluster.name, namespace, serviceAccount: sa.name, roleArn },
      instructions: `create the Pod Identity association: aws eks create-pod-identity-association --cluster-name ${cluster.name} --namespace ${namespace} --service-account ${sa.name} --role-arn ${roleArn}`,
    };
  }
  return {
    name: sa.name, mechanism: sa.mechanism,
    annotations: { 'eks.amazonaws.com/role-arn': roleArn },
    instructions: `annotate the ServiceAccount: kubectl annotate serviceaccount --namespace ${namespace} ${sa.name} eks.amazonaws.com/role-arn=${roleArn}`,
  };
}
