import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateRoleCommand, GetPolicyCommand, IAMClient, ListRolesCommand } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CoreV1Api, CustomObjectsApi, KubeConfig, RbacAuthorizationV1Api, type ApiConstructor, type ApiType } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isProcessAlive } from '../harness/managed-process.ts';
import { startStack, type Stack } from '../harness/stack.ts';
import { waitFor } from '../harness/wait.ts';
import { zipArchive } from '../harness/zip.ts';

const execFileAsync = promisify(execFile);

const lambdaTrustPolicy = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

/** A CRD of the test bed's own, so that these tests do not depend on the project's crds/. */
const widgetCrd = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.testbed.example.com
spec:
  group: testbed.example.com
  scope: Namespaced
  names: { kind: Widget, plural: widgets, singular: widget, listKind: WidgetList }
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec: { type: object, properties: { size: { type: integer } } }
`;

describe('the test bed', () => {
  let stack: Stack;
  let crdDir: string;

  beforeAll(async () => {
    crdDir = await mkdtemp(join(tmpdir(), 'testbed-crds-'));
    await writeFile(join(crdDir, 'widgets.yaml'), widgetCrd);
    stack = await startStack({ crdDir });
  });

  afterAll(async () => {
    await stack?.stop();
    await rm(crdDir, { recursive: true, force: true });
  });

  function kubeApi<T extends ApiType>(kubeconfigPath: string, api: ApiConstructor<T>): T {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(kubeconfigPath);
    return kubeConfig.makeApiClient(api);
  }

  const awsClientConfig = () => ({
    endpoint: stack.awsEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });

  it('lets the admin create a namespace', async () => {
    const core = kubeApi(stack.kubeconfigPath, CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'testbed-admin' } } });
    const namespace = await core.readNamespace({ name: 'testbed-admin' });
    expect(namespace.status?.phase).toBe('Active');
  });

  it('installs the CRDs of crdDir before it is ready', async () => {
    const widget = { apiVersion: 'testbed.example.com/v1', kind: 'Widget', metadata: { name: 'w1' }, spec: { size: 3 } };
    const customObjects = kubeApi(stack.kubeconfigPath, CustomObjectsApi);
    const widgetsIn = { group: 'testbed.example.com', version: 'v1', namespace: 'default', plural: 'widgets' };
    await customObjects.createNamespacedCustomObject({ ...widgetsIn, body: widget });
    const list = (await customObjects.listNamespacedCustomObject(widgetsIn)) as { items: { metadata: { name: string } }[] };
    expect(list.items.map((item) => item.metadata.name)).toEqual(['w1']);
  });

  it('authorizes with RBAC: alice may list namespaces only once a binding grants it', async () => {
    const aliceCore = kubeApi(stack.kubeconfigFor('alice'), CoreV1Api);
    await expect(aliceCore.listNamespace()).rejects.toMatchObject({ code: 403 });

    // Not the built-in "view": aggregated roles stay empty without kube-controller-manager.
    const rbac = kubeApi(stack.kubeconfigPath, RbacAuthorizationV1Api);
    await rbac.createClusterRole({
      body: { metadata: { name: 'namespace-reader' }, rules: [{ apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list'] }] },
    });
    await rbac.createClusterRoleBinding({
      body: {
        metadata: { name: 'alice-namespace-reader' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'namespace-reader' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'alice' }],
      },
    });
    // The RBAC authorizer sees new bindings through its informer, a moment later.
    const namespaces = await waitFor('alice to be allowed to list namespaces', () => aliceCore.listNamespace(), { timeoutMs: 10_000 });
    expect(namespaces.items.map((ns) => ns.metadata?.name)).toContain('default');
    await expect(kubeApi(stack.kubeconfigFor('bob'), CoreV1Api).listNamespace()).rejects.toMatchObject({ code: 403 });
  });

  it('puts a kubectl and a helm of the pinned versions on PATH that work against the API server', async () => {
    const run = async (command: string, args: string[]) => (await execFileAsync(command, args, { env: { ...process.env, ...stack.env } })).stdout;

    expect((await run('kubectl', ['get', 'ns', '-o', 'name'])).split('\n')).toContain('namespace/default');
    const versions = JSON.parse(await run('kubectl', ['version', '-o', 'json'])) as Record<string, { gitVersion: string }>;
    expect(versions.clientVersion?.gitVersion).toBe('v1.34.4');
    expect(versions.serverVersion?.gitVersion).toBe('v1.34.4');
    expect(await run('helm', ['version', '--template', '{{.Version}}'])).toBe('v3.19.5');
    expect(await run('helm', ['list', '--all-namespaces', '--output', 'json'])).toBe('[]\n');
  });

  it('emulates IAM with the AWS managed policies', async () => {
    const iam = new IAMClient(awsClientConfig());
    const arn = 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole';
    const { Policy } = await iam.send(new GetPolicyCommand({ PolicyArn: arn }));
    expect(Policy?.Arn).toBe(arn);
  });

  it('creates a Lambda function from a zip, without Docker', async () => {
    const iam = new IAMClient(awsClientConfig());
    const lambda = new LambdaClient(awsClientConfig());
    const { Role } = await iam.send(new CreateRoleCommand({ RoleName: 'testbed-lambda', AssumeRolePolicyDocument: lambdaTrustPolicy }));
    const created = await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'testbed-hello',
        Runtime: 'nodejs22.x',
        Role: Role?.Arn,
        Handler: 'index.handler',
        Code: { ZipFile: zipArchive({ 'index.mjs': 'export const handler = async () => "hello";\n' }) },
      }),
    );
    expect(created.FunctionArn).toMatch(/^arn:aws:lambda:us-east-1:\d{12}:function:testbed-hello$/);
    // As in AWS, a new function is Pending for a moment, then Active.
    expect(created.State).toBe('Pending');
    const state = await waitFor('the function to become Active', async () => {
      const { Configuration } = await lambda.send(new GetFunctionCommand({ FunctionName: 'testbed-hello' }));
      return Configuration?.State === 'Pending' ? undefined : Configuration?.State;
    }, { timeoutMs: 10_000 });
    expect(state).toBe('Active');
  });

  it('forgets every AWS resource on resetAws()', async () => {
    const iam = new IAMClient(awsClientConfig());
    const lambda = new LambdaClient(awsClientConfig());
    const roleNames = async () => ((await iam.send(new ListRolesCommand({}))).Roles ?? []).map((role) => role.RoleName);
    const { Role } = await iam.send(new CreateRoleCommand({ RoleName: 'testbed-reset', AssumeRolePolicyDocument: lambdaTrustPolicy }));
    expect(await roleNames()).toContain('testbed-reset');
    await lambda.send(new CreateFunctionCommand({
      FunctionName: 'testbed-reset', Runtime: 'nodejs22.x', Role: Role?.Arn, Handler: 'index.handler',
      Code: { ZipFile: zipArchive({ 'index.mjs': 'export const handler = async () => "reset";\n' }) },
    }));

    await stack.resetAws();

    expect(await roleNames()).toEqual([]);
    await expect(lambda.send(new GetFunctionCommand({ FunctionName: 'testbed-reset' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('leaves no child process behind once stopped', async () => {
    const pids = Object.values(stack.pids);
    expect(pids.filter(isProcessAlive)).toEqual(pids);

    await stack.stop();

    expect(pids.filter(isProcessAlive)).toEqual([]);
  });
});
