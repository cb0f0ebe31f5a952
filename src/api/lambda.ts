// Lambda: a Lambda function, its code, execution role and resource-based policy, in the shape of
// Bedrock Forge's `kind: Lambda` manifests (with its documented aliases: environmentVariables,
// reservedConcurrencyLimit).
import lambdaRules from '../aws/lambda/lambda-rules.json' with { type: 'json' };
import { Type, atMostOneOfEach, bool, cel, int, mapOf, oneOfStrings, str, stringMap, strings, uniqueBy, type Static } from './schema.ts';
import { ARN_PATTERN, OBJECT_NAME_PATTERN, ROLE_ARN_PATTERN, reference, statusOf, tags, terraformTimeouts } from './common.ts';
import { ResourceStatement } from './policy-document.ts';

/** Bedrock Forge's code.source values the CRD takes (the converter resolves directory, and a path). */
export const CODE_SOURCES = ['directory', 's3', 'zip', 'image', 'inline', 'configMap'] as const;

const ENV_NAME = '^[a-zA-Z]([a-zA-Z0-9_])*$';

/** The keys Lambda reserves, from the same data the operator and the emulator read. */
const { environment: { reservedKeys: RESERVED_KEYS } } = lambdaRules as { environment: { reservedKeys: string[] } };

const environment = (description: string) => stringMap({
  description,
  maxProperties: 200,
  ...cel(
    { rule: `self.all(k, k.matches('${ENV_NAME}'))`, message: 'environment variable names must start with a letter and hold only letters, digits and _' },
    {
      rule: `self.all(k, !(k in [${RESERVED_KEYS.map((k) => `'${k}'`).join(', ')}]))`,
      message: `Lambda reserves these environment variables for itself: ${RESERVED_KEYS.join(', ')}`,
    },
  ),
});

/**
 * A ConfigMap that holds Lambda code (spec.code.configMap) carries this label, with any value:
 * the operator watches only such ConfigMaps. The converter sets it on the ConfigMaps it makes.
 */
export const LAMBDA_CODE_LABEL = 'bedrockforge.io/lambda-code';

export const LambdaCode = Type.Object(
  {
    source: Type.Optional(oneOfStrings(CODE_SOURCES, {
      description: 'Where the code comes from. Bedrock Forge\'s "directory" is turned into configMap by the converter; the other values only name the field that is set.',
    })),
    s3Bucket: Type.Optional(str({ description: 'S3 bucket that holds the zip.', pattern: '^[0-9a-z.-]{3,63}$' })),
    s3Key: Type.Optional(str({ description: 'S3 key of the zip.', minLength: 1, maxLength: 1024 })),
    s3ObjectVersion: Type.Optional(str({ description: 'S3 object version of the zip; pins the code.', minLength: 1, maxLength: 1024 })),
    sha256: Type.Optional(str({ description: 'Declared base64 SHA-256 of the zip (Lambda\'s CodeSha256), so new bytes under the same S3 key are detected.', pattern: '^[A-Za-z0-9+/]{43}=$' })),
    zipFile: Type.Optional(str({ description: 'The zip itself, base64-encoded (at most 50 MB in AWS; keep it small in Kubernetes).', maxLength: 1048576 })),
    imageUri: Type.Optional(str({ description: 'URI of a container image in Amazon ECR (packageType Image).', maxLength: 1024, pattern: '^\\d{12}\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/.+$' })),
    inline: Type.Optional(mapOf(str({ description: 'Content of the file.', maxLength: 262144 }), {
      description: 'Source files by path (such as app.py), zipped by the operator deterministically.',
      maxProperties: 100,
      ...cel({ rule: "self.all(p, !p.startsWith('/') && !p.contains('..'))", message: 'inline file paths must be relative and must not contain ..' }),
    })),
    configMap: Type.Optional(Type.Object({
      name: str({ description: 'Name of a ConfigMap in the same namespace whose keys are file names; it must carry the label bedrockforge.io/lambda-code (the operator watches only such ConfigMaps).', pattern: OBJECT_NAME_PATTERN }),
      items: Type.Optional(Type.Array(Type.Object({
        key: str({ description: 'Key in the ConfigMap (data or binaryData).', pattern: '^[-._a-zA-Z0-9]+$' }),
        path: str({ description: 'Path of the file in the zip, such as lib/util.py.', pattern: '^[^/].*$', maxLength: 1024 }),
      }, { description: 'A ConfigMap key and the path it takes in the zip.' }), {
        description: 'Where keys go in the zip, for files in subdirectories (ConfigMap keys cannot hold "/"). Without items every key is a file at the top of the zip.',
        maxItems: 1000,
        ...uniqueBy('path'),
      })),
    }, { description: 'Source files from a ConfigMap in the same namespace, zipped by the operator deterministically.' })),
  },
  {
    description: 'The function code: exactly one of s3Bucket+s3Key, zipFile, imageUri, inline or configMap.',
    ...cel(
      {
        rule: "[has(self.s3Bucket) || has(self.s3Key), has(self.zipFile), has(self.imageUri), has(self.inline), has(self.configMap)].filter(x, x).size() == 1",
        message: 'set exactly one code source: s3Bucket and s3Key, zipFile, imageUri, inline or configMap',
      },
      { rule: 'has(self.s3Bucket) == has(self.s3Key)', message: 's3Bucket and s3Key go together' },
      { rule: '!has(self.s3ObjectVersion) || has(self.s3Key)', message: 's3ObjectVersion needs s3Bucket and s3Key' },
      { rule: "!has(self.source) || self.source != 'directory'", message: 'code.source "directory" is resolved by the converter: run `bedrock-forge-operator convert` on the manifest' },
    ),
  },
);
export type LambdaCode = Static<typeof LambdaCode>;

export const LambdaSpec = Type.Object(
  {
    functionName: Type.Optional(str({ description: 'Name of the function in AWS. Defaults to metadata.name.', pattern: '^[a-zA-Z0-9-_]{1,64}$' })),
    runtime: Type.Optional(str({ description: 'Lambda runtime, such as python3.12 or nodejs22.x (required for zip packages).', pattern: '^[a-z0-9.]+$', maxLength: 32 })),
    handler: Type.Optional(str({ description: 'Function handler, such as app.handler (required for zip packages).', maxLength: 128, pattern: '^[^\\s]+$' })),
    description: Type.Optional(str({ description: 'Description of the function.', maxLength: 256 })),
    packageType: Type.Optional(oneOfStrings(['Zip', 'Image'] as const, { description: 'Zip (default) or Image.' })),
    code: Type.Optional(LambdaCode),
    environment: Type.Optional(environment('Environment variables.')),
    environmentVariables: Type.Optional(environment('Environment variables (Bedrock Forge\'s documented name; same as environment).')),
    timeout: Type.Optional(int({ description: 'Timeout in seconds, 1 to 900.', minimum: 1, maximum: 900 })),
    memorySize: Type.Optional(int({ description: 'Memory in MB, 128 to 10240.', minimum: 128, maximum: 10240 })),
    reservedConcurrency: Type.Optional(int({ description: 'Reserved concurrent executions (0 stops the function).', minimum: 0, maximum: 100000 })),
    reservedConcurrencyLimit: Type.Optional(int({ description: 'Same as reservedConcurrency (Bedrock Forge\'s documented name).', minimum: 0, maximum: 100000 })),
    architectures: Type.Optional(Type.Array(oneOfStrings(['x86_64', 'arm64'] as const, { description: 'x86_64 or arm64.' }), {
      description: 'Instruction set: one of x86_64 (default) or arm64.', minItems: 1, maxItems: 1,
    })),
    layers: Type.Optional(strings({
      description: 'ARNs of layer versions (at most 5).',
      maxItems: 5,
      itemPattern: '^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+:\\d+$',
    })),
    vpcConfig: Type.Optional(Type.Object({
      subnetIds: strings({ description: 'Subnet IDs.', maxItems: 16, itemPattern: '^subnet-[0-9a-f]+$' }),
      securityGroupIds: strings({ description: 'Security group IDs.', maxItems: 5, itemPattern: '^sg-[0-9a-f]+$' }),
      ipv6AllowedForDualStack: Type.Optional(bool({ description: 'Allow IPv6 traffic for dual-stack subnets.' })),
    }, { description: 'VPC the function connects to.' })),
    deadLetterConfig: Type.Optional(Type.Object({
      targetArn: str({ description: 'ARN of an SQS queue or SNS topic.', pattern: '^arn:aws[a-z-]*:(sqs|sns):[a-z0-9-]+:\\d{12}:.+$' }),
    }, { description: 'Where failed asynchronous invocations go.' })),
    ephemeralStorage: Type.Optional(Type.Object({
      size: int({ description: 'Size of /tmp in MB, 512 to 10240.', minimum: 512, maximum: 10240 }),
    }, { description: 'Size of the function\'s /tmp directory.' })),
    tracingConfig: Type.Optional(Type.Object({
      mode: oneOfStrings(['Active', 'PassThrough'] as const, { description: 'Active or PassThrough.' }),
    }, { description: 'AWS X-Ray tracing.' })),
    fileSystemConfig: Type.Optional(Type.Object({
      arn: str({ description: 'ARN of the EFS access point.', pattern: ARN_PATTERN }),
      localMountPath: str({ description: 'Mount path, starting with /mnt/.', pattern: '^/mnt/[a-zA-Z0-9-_.]+$' }),
    }, { description: 'EFS file system the function mounts.' })),
    kmsKeyArn: Type.Optional(str({ description: 'ARN of the KMS key that encrypts environment variables.', pattern: '^arn:aws[a-z-]*:kms:[a-z0-9-]+:\\d{12}:(key|alias)/.+$' })),
    tags: Type.Optional(tags('Tags of the function (at most 50).')),
    iamRole: Type.Optional(str({
      description: 'Execution role: the name of an IAMRole in the same namespace, or a role ARN. When neither iamRole nor roleArn is given, the operator generates a least-privilege role.',
      pattern: `(${OBJECT_NAME_PATTERN})|(${ROLE_ARN_PATTERN})`,
    })),
    role: Type.Optional(reference('Execution role: an IAMRole in the same namespace (Bedrock Forge\'s name for iamRole; set one of iamRole, role or roleArn).', OBJECT_NAME_PATTERN)),
    roleArn: Type.Optional(str({ description: 'ARN of an existing execution role.', pattern: ROLE_ARN_PATTERN })),
    resourcePolicy: Type.Optional(Type.Object({
      allowBedrockAgents: Type.Optional(bool({
        description: 'Let Bedrock agents of this account invoke the function (principal bedrock.amazonaws.com with aws:SourceAccount and an agent ARN pattern). Agents in this namespace that use the function get a statement with their exact ARN either way.',
      })),
      statements: Type.Optional(Type.Array(ResourceStatement, {
        description: 'Further statements of the function\'s resource-based policy.',
        maxItems: 50,
      })),
    }, { description: 'Resource-based policy of the function: who may invoke it.' })),
    publish: Type.Optional(bool({ description: 'Publish a version of the function after each change of its code or configuration (status.version holds the newest); the versions before are left as they are.' })),
    snapStart: Type.Optional(Type.Object({
      applyOn: oneOfStrings(['PublishedVersions', 'None'] as const, { description: 'PublishedVersions: Lambda snapshots each published version when it is published (with publish: true), for faster cold starts; None (default).' }),
    }, { description: 'Lambda SnapStart (Java, Python and .NET runtimes).' })),
    imageConfig: Type.Optional(Type.Object({
      command: Type.Optional(strings({ description: 'Overrides the image\'s CMD.', maxItems: 1500 })),
      entryPoint: Type.Optional(strings({ description: 'Overrides the image\'s ENTRYPOINT.', maxItems: 1500 })),
      workingDirectory: Type.Optional(str({ description: 'Overrides the image\'s WORKDIR.', maxLength: 1000 })),
    }, { description: 'Overrides of the container image\'s settings (packageType Image only).' })),
    codeSigningConfigArn: Type.Optional(str({
      description: 'ARN of a code signing configuration: Lambda then checks the signature of the code each deployment brings, as the configuration\'s policy says (Warn or Enforce; the operator\'s own zips of inline and ConfigMap code are unsigned).',
      pattern: '^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\\d{12}:code-signing-config:csc-[a-z0-9]{17}$',
    })),
    skipDestroy: Type.Optional(bool({ description: 'Keep the function in AWS when the object is deleted: the same as the annotation bedrockforge.io/deletion-policy: retain (the annotation, when set, decides).' })),
    // Terraform's own arguments, which Bedrock Forge passes through: accepted, with no effect here.
    sourceCodeHash: Type.Optional(str({ description: 'Terraform\'s hash that triggers a code update; no effect here: the operator compares the code it builds with the function\'s CodeSha256 itself.', maxLength: 256 })),
    replaceSecurityGroupsOnDestroy: Type.Optional(bool({ description: 'Terraform\'s swap of the function\'s security groups before it is destroyed (to free their ENIs sooner); no effect here.' })),
    replacementSecurityGroupIds: Type.Optional(strings({ description: 'The security groups Terraform swaps in with replaceSecurityGroupsOnDestroy; no effect here.', maxItems: 5, itemPattern: '^sg-[0-9a-f]+$' })),
    timeouts: Type.Optional(terraformTimeouts('the function')),
  },
  {
    description: 'The desired Lambda function.',
    // role is typeless (a name or {ref}), so CEL cannot name it.
    ...atMostOneOfEach(['environment', 'environmentVariables'], ['iamRole', 'role', 'roleArn']),
    ...cel(
      { rule: '!(has(self.iamRole) && has(self.roleArn))', message: 'set iamRole or roleArn, not both' },
      { rule: '!(has(self.reservedConcurrency) && has(self.reservedConcurrencyLimit))', message: 'set reservedConcurrency or reservedConcurrencyLimit, not both' },
      { rule: 'has(self.code)', message: 'code is required: set spec.code to s3Bucket+s3Key, zipFile, imageUri, inline files or a configMap', fieldPath: '.code', reason: 'FieldValueRequired' },
      {
        rule: "!has(self.packageType) || self.packageType != 'Image' || (has(self.code) && has(self.code.imageUri))",
        message: 'packageType Image needs code.imageUri', fieldPath: '.code',
      },
      {
        rule: "(has(self.packageType) && self.packageType == 'Image') || !has(self.code) || !has(self.code.imageUri)",
        message: 'code.imageUri needs packageType: Image', fieldPath: '.code.imageUri',
      },
      {
        rule: "!has(self.imageConfig) || (has(self.packageType) && self.packageType == 'Image')",
        message: 'imageConfig needs packageType: Image', fieldPath: '.imageConfig',
      },
      {
        rule: "(has(self.packageType) && self.packageType == 'Image') || (has(self.runtime) && has(self.handler))",
        message: 'runtime and handler are required for zip packages', fieldPath: '.runtime', reason: 'FieldValueRequired',
      },
    ),
  },
);
export type LambdaSpec = Static<typeof LambdaSpec>;

export const LambdaStatus = statusOf('What the controller observed in AWS.', {
  arn: Type.Optional(str({ description: 'ARN of the function.' })),
  functionName: Type.Optional(str({ description: 'Name of the function in AWS.' })),
  roleArn: Type.Optional(str({ description: 'ARN of the execution role in use.' })),
  codeSha256: Type.Optional(str({ description: 'CodeSha256 of the deployed code.' })),
  codeSource: Type.Optional(str({ description: 'Where the deployed code came from (s3://bucket/key?versionId=…, inline files, ConfigMap NAME, zipFile or the image URI); for S3 code without spec.code.sha256 the only record of what was deployed.', maxLength: 2048 })),
  policyStatementIds: Type.Optional(strings({ description: 'Statement IDs of the resource-based policy in force.', maxItems: 200 })),
  managedTagKeys: Type.Optional(strings({ description: 'Tag keys the operator set from spec.tags; a key removed from the spec is removed from AWS, other tags are left alone.', maxItems: 50 })),
  version: Type.Optional(str({ description: 'With spec.publish: the newest published version, made from the code and configuration the spec asks for.' })),
  codeSigningConfigArn: Type.Optional(str({ description: 'The code signing configuration the function is linked to, as last read; recorded so that one the spec drops is unlinked.' })),
});
export type LambdaStatus = Static<typeof LambdaStatus>;
