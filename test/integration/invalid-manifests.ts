// Manifests the apiserver must refuse, each with the field its message must name. Each case is a
// valid base object of its kind with one thing broken, so the named field is the only reason.
export interface InvalidCase {
  title: string;
  kind: 'IAMRole' | 'Lambda' | 'Agent';
  name?: string;
  /** Changes the valid spec into the invalid one. */
  break: (spec: Record<string, any>) => void;
  /** The field path the apiserver's message must name, and optionally words it must say. */
  field: string;
  says?: string;
}

export function validSpec(kind: InvalidCase['kind']): Record<string, any> {
  switch (kind) {
    case 'IAMRole':
      return {
        assumeRolePolicy: {
          version: '2012-10-17',
          statement: [{ effect: 'Allow', principal: { service: 'bedrock.amazonaws.com' }, action: 'sts:AssumeRole' }],
        },
        inlinePolicies: [{
          name: 'Invoke',
          policy: { version: '2012-10-17', statement: [{ effect: 'Allow', action: ['bedrock:InvokeModel'], resource: 'arn:aws:bedrock:us-east-1::foundation-model/x' }] },
        }],
        policies: [{ policyArn: 'arn:aws:iam::aws:policy/AWSLambdaExecute' }],
        tags: { Team: 'ai' },
      };
    case 'Lambda':
      return { runtime: 'python3.12', handler: 'app.handler', code: { inline: { 'app.py': 'def handler(e, c):\n  return 1\n' } } };
    case 'Agent':
      return {
        foundationModel: 'anthropic.claude-3-sonnet-20240229-v1:0',
        instruction: 'You are a helpful support agent. Answer questions about orders politely.',
        actionGroups: [{ name: 'orders', actionGroupExecutor: { lambda: 'order-lookup' }, functionSchema: { functions: [{ name: 'lookup_order' }] } }],
      };
  }
}

const trust = (s: Record<string, any>) => s.assumeRolePolicy.statement[0];

/** Valid variations: the alternative forms IAM and Bedrock Forge allow, which must all apply. */
export const validVariants: { title: string; kind: InvalidCase['kind']; change: (spec: Record<string, any>) => void }[] = [
  { title: 'principal "*" and a list of AWS principals', kind: 'IAMRole', change: (s) => {
    s.assumeRolePolicy.statement.push({ effect: 'Deny', principal: '*', notAction: ['sts:TagSession'] });
    s.assumeRolePolicy.statement.push({ effect: 'Allow', principal: { aws: ['123456789012', 'arn:aws:iam::123456789012:role/x'] }, action: 'sts:AssumeRole' });
  } },
  { title: 'IAM\'s capitalised principal keys and condition values of every type', kind: 'IAMRole', change: (s) => {
    s.assumeRolePolicy.statement[0].principal = { Service: ['bedrock.amazonaws.com', 'lambda.amazonaws.com'] };
    s.assumeRolePolicy.statement[0].condition = {
      StringEquals: { 'aws:SourceAccount': '123456789012' },
      'ForAnyValue:StringEquals': { 'aws:RequestedRegion': ['us-east-1', 'us-west-2'] },
      Bool: { 'aws:SecureTransport': true },
      NumericLessThan: { 's3:max-keys': 10 },
    };
  } },
  { title: 'notResource, a path, a boundary and the maximum session', kind: 'IAMRole', change: (s) => {
    s.inlinePolicies[0].policy.statement[0] = { effect: 'Deny', notAction: 'iam:*', notResource: ['arn:aws:iam::123456789012:role/x'] };
    Object.assign(s, { path: '/bedrock/agents/', permissionsBoundary: 'arn:aws:iam::123456789012:policy/boundary', maxSessionDuration: 43200, roleName: 'Agent+Role=1,x.y@z_w-v' });
  } },
  { title: 'Bedrock Forge\'s Lambda spelling with every optional field', kind: 'Lambda', change: (s) => {
    Object.assign(s, {
      environmentVariables: { LOG_LEVEL: 'INFO' }, reservedConcurrencyLimit: 10, timeout: 900, memorySize: 10240,
      architectures: ['arm64'], layers: ['arn:aws:lambda:us-east-1:123456789012:layer:utils:1'],
      vpcConfig: { subnetIds: ['subnet-12345678'], securityGroupIds: ['sg-12345678'] },
      deadLetterConfig: { targetArn: 'arn:aws:sqs:us-east-1:123456789012:dlq' }, ephemeralStorage: { size: 10240 },
      tracingConfig: { mode: 'Active' }, kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/abc',
      fileSystemConfig: { arn: 'arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/fsap-1', localMountPath: '/mnt/efs' },
      iamRole: 'lambda-role',
      resourcePolicy: { allowBedrockAgents: true, statements: [{ sid: 'Cross', effect: 'Allow', principal: { AWS: 'arn:aws:iam::123456789012:root' }, action: 'lambda:InvokeFunction', condition: { StringLike: { 'aws:SourceArn': 'arn:aws:bedrock:*:123456789012:agent/*' } } }] },
    });
  } },
  { title: 'code from S3 with a version', kind: 'Lambda', change: (s) => {
    s.code = { s3Bucket: 'code-bucket', s3Key: 'fn.zip', s3ObjectVersion: '3' };
  } },
  { title: 'code from a ConfigMap with items for nested files', kind: 'Lambda', change: (s) => {
    s.code = { configMap: { name: 'fn-code', items: [{ key: 'app.py', path: 'app.py' }, { key: 'lib--util.py', path: 'lib/util.py' }] } };
  } },
  { title: 'a container image', kind: 'Lambda', change: (s) => {
    delete s.runtime; delete s.handler;
    Object.assign(s, { packageType: 'Image', code: { imageUri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/fn:1' } });
  } },
  { title: 'Bedrock Forge\'s iamRole object, guardrail, prompt overrides, memory and aliases', kind: 'Agent', change: (s) => {
    Object.assign(s, {
      idleSessionTtl: 900,
      iamRole: { roleName: { ref: 'agent-role' }, autoCreate: false, additionalPolicies: [{ policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }] },
      guardrail: { name: 'content-safety', version: '1', mode: 'pre' },
      promptOverrides: [{ promptType: 'ORCHESTRATION', prompt: 'custom-orchestration', variant: 'production' }],
      memoryConfiguration: { enabledMemoryTypes: ['SESSION_SUMMARY'], storageDays: 30 },
      knowledgeBases: [{ knowledgeBaseId: 'ABCDEFGHIJ', description: 'Product FAQ' }],
      aliases: [{ name: 'live', routingConfiguration: [{ agentVersion: '1' }], tags: { Stage: 'prod' } }],
      customerEncryptionKey: 'arn:aws:kms:us-east-1:123456789012:key/12345678-1234-1234-1234-123456789012',
    });
    s.actionGroups.push({ name: 'ask', parentActionGroupSignature: 'AMAZON.UserInput' });
    s.actionGroups.push({ name: 'api', actionGroupExecutor: { lambdaArn: 'arn:aws:lambda:us-east-1:123456789012:function:f' }, apiSchema: { s3: { s3BucketName: 'schemas', s3ObjectKey: 'api.json' } } });
    s.actionGroups.push({ name: 'roc', actionGroupExecutor: { customControl: 'RETURN_CONTROL' }, functionSchema: { functions: [{ name: 'f', parameters: { id: { type: 'string', required: true } } }] } });
  } },
  { title: 'the seed\'s iamRole string: a role ARN', kind: 'Agent', change: (s) => { s.iamRole = 'arn:aws:iam::123456789012:role/service-role/AmazonBedrockExecutionRoleForAgents_x'; } },
];

const inline = (s: Record<string, any>) => s.inlinePolicies[0].policy.statement[0];

export const invalidCases: InvalidCase[] = [
  // IAMRole
  { title: 'role name longer than 64 characters', kind: 'IAMRole', break: (s) => { s.roleName = 'r'.repeat(65); }, field: 'spec.roleName' },
  { title: 'role name with a character IAM refuses', kind: 'IAMRole', break: (s) => { s.roleName = 'my role!'; }, field: 'spec.roleName' },
  { title: 'metadata.name too long for a role name and no roleName', kind: 'IAMRole', name: 'a'.repeat(70), break: () => {}, field: 'spec.roleName', says: 'set spec.roleName' },
  { title: 'path without slashes', kind: 'IAMRole', break: (s) => { s.path = 'bedrock'; }, field: 'spec.path' },
  { title: 'maxSessionDuration below 3600', kind: 'IAMRole', break: (s) => { s.maxSessionDuration = 3599; }, field: 'spec.maxSessionDuration' },
  { title: 'maxSessionDuration above 43200', kind: 'IAMRole', break: (s) => { s.maxSessionDuration = 43201; }, field: 'spec.maxSessionDuration' },
  { title: 'effect in lower case', kind: 'IAMRole', break: (s) => { trust(s).effect = 'allow'; }, field: 'spec.assumeRolePolicy.statement[0].effect' },
  { title: 'placeholder account in an AWS principal', kind: 'IAMRole', break: (s) => { trust(s).principal = { aws: 'arn:aws:iam::TRUSTED-ACCOUNT-ID:root' }; }, field: 'spec.assumeRolePolicy.statement[0].principal.aws' },
  { title: 'account ID of 11 digits in a principal list', kind: 'IAMRole', break: (s) => { trust(s).principal = { aws: ['123456789012', '12345678901'] }; }, field: 'spec.assumeRolePolicy.statement[0].principal.aws[1]' },
  { title: 'service principal that is no service', kind: 'IAMRole', break: (s) => { trust(s).principal = { service: 'bedrock' }; }, field: 'spec.assumeRolePolicy.statement[0].principal.service' },
  { title: 'principal that is neither "*" nor an object', kind: 'IAMRole', break: (s) => { trust(s).principal = 'everyone'; }, field: 'spec.assumeRolePolicy.statement[0].principal' },
  { title: 'trust statement with action and notAction', kind: 'IAMRole', break: (s) => { trust(s).notAction = 'sts:TagSession'; }, field: 'spec.assumeRolePolicy.statement[0]', says: 'oneOf' },
  { title: 'trust statement without principal', kind: 'IAMRole', break: (s) => { delete trust(s).principal; }, field: 'spec.assumeRolePolicy.statement[0].principal' },
  { title: 'trust policy without statements', kind: 'IAMRole', break: (s) => { s.assumeRolePolicy.statement = []; }, field: 'spec.assumeRolePolicy.statement' },
  { title: 'policy version that IAM does not know', kind: 'IAMRole', break: (s) => { s.assumeRolePolicy.version = '2024-01-01'; }, field: 'spec.assumeRolePolicy.version' },
  { title: 'inline statement without resource', kind: 'IAMRole', break: (s) => { delete inline(s).resource; }, field: 'spec.inlinePolicies[0].policy.statement[0].resource' },
  { title: 'action without a service prefix', kind: 'IAMRole', break: (s) => { inline(s).action = ['InvokeModel']; }, field: 'spec.inlinePolicies[0].policy.statement[0].action[0]' },
  { title: 'action that is an object', kind: 'IAMRole', break: (s) => { inline(s).action = { bedrock: 'InvokeModel' }; }, field: 'spec.inlinePolicies[0].policy.statement[0].action' },
  { title: 'resource that is no ARN', kind: 'IAMRole', break: (s) => { inline(s).resource = 'my-bucket'; }, field: 'spec.inlinePolicies[0].policy.statement[0].resource' },
  { title: 'sid with a character IAM refuses', kind: 'IAMRole', break: (s) => { inline(s).sid = 'allow-invoke'; }, field: 'spec.inlinePolicies[0].policy.statement[0].sid' },
  { title: 'malformed managed policy ARN', kind: 'IAMRole', break: (s) => { s.policies = [{ policyArn: 'AWSLambdaExecute' }]; }, field: 'spec.policies[0].policyArn' },
  { title: 'the same managed policy twice', kind: 'IAMRole', break: (s) => { s.policies.push({ ...s.policies[0] }); }, field: 'spec.policies[1]', says: 'Duplicate' },
  { title: 'two inline policies of one name', kind: 'IAMRole', break: (s) => { s.inlinePolicies.push(structuredClone(s.inlinePolicies[0])); }, field: 'spec.inlinePolicies[1]', says: 'Duplicate' },
  { title: 'more than 50 tags', kind: 'IAMRole', break: (s) => { s.tags = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])); }, field: 'spec.tags' },
  { title: 'tag value longer than 256 characters', kind: 'IAMRole', break: (s) => { s.tags = { Team: 'v'.repeat(257) }; }, field: 'spec.tags.Team' },
  { title: 'tag key longer than 128 characters', kind: 'IAMRole', break: (s) => { s.tags = { ['k'.repeat(129)]: 'v' }; }, field: 'spec.tags', says: '1 to 128' },
  { title: 'tag key in the aws: namespace', kind: 'IAMRole', break: (s) => { s.tags = { 'aws:owner': 'me' }; }, field: 'spec.tags', says: "'aws:'" },
  { title: 'permissions boundary that is no policy ARN', kind: 'IAMRole', break: (s) => { s.permissionsBoundary = 'arn:aws:s3:::bucket'; }, field: 'spec.permissionsBoundary' },

  // Lambda
  { title: 'timeout of 0', kind: 'Lambda', break: (s) => { s.timeout = 0; }, field: 'spec.timeout' },
  { title: 'timeout above 900 seconds', kind: 'Lambda', break: (s) => { s.timeout = 901; }, field: 'spec.timeout' },
  { title: 'memory below 128 MB', kind: 'Lambda', break: (s) => { s.memorySize = 127; }, field: 'spec.memorySize' },
  { title: 'memory above 10240 MB', kind: 'Lambda', break: (s) => { s.memorySize = 10241; }, field: 'spec.memorySize' },
  { title: 'ephemeral storage below 512 MB', kind: 'Lambda', break: (s) => { s.ephemeralStorage = { size: 511 }; }, field: 'spec.ephemeralStorage.size' },
  { title: 'two code sources', kind: 'Lambda', break: (s) => { s.code.zipFile = 'UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA=='; }, field: 'spec.code', says: 'exactly one code source' },
  { title: 'no code at all', kind: 'Lambda', break: (s) => { delete s.code; }, field: 'spec.code', says: 'code is required' },
  { title: 's3Bucket without s3Key', kind: 'Lambda', break: (s) => { s.code = { s3Bucket: 'my-code-bucket' }; }, field: 'spec.code', says: 's3Bucket and s3Key go together' },
  { title: 'container image for a zip package', kind: 'Lambda', break: (s) => { s.code = { imageUri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/fn:1' }; }, field: 'spec.code.imageUri', says: 'packageType: Image' },
  { title: 'iamRole and roleArn together', kind: 'Lambda', break: (s) => { s.iamRole = 'fn-role'; s.roleArn = 'arn:aws:iam::123456789012:role/fn'; }, field: 'spec', says: 'iamRole or roleArn' },
  { title: 'environment variable name starting with a digit', kind: 'Lambda', break: (s) => { s.environment = { '1BAD': 'x' }; }, field: 'spec.environment' },
  { title: 'more than 5 layers', kind: 'Lambda', break: (s) => { s.layers = Array.from({ length: 6 }, (_, i) => `arn:aws:lambda:us-east-1:123456789012:layer:l${i}:1`); }, field: 'spec.layers' },
  { title: 'two architectures', kind: 'Lambda', break: (s) => { s.architectures = ['x86_64', 'arm64']; }, field: 'spec.architectures' },
  { title: 'tracing mode that Lambda does not know', kind: 'Lambda', break: (s) => { s.tracingConfig = { mode: 'On' }; }, field: 'spec.tracingConfig.mode' },
  { title: 'resource-policy principal with a placeholder account', kind: 'Lambda', break: (s) => { s.resourcePolicy = { statements: [{ principal: { aws: 'ACCOUNT' }, action: 'lambda:InvokeFunction' }] }; }, field: 'spec.resourcePolicy.statements[0].principal.aws' },

  // Agent
  { title: 'instruction shorter than 40 characters', kind: 'Agent', break: (s) => { s.instruction = 'You are a custom agent'; }, field: 'spec.instruction', says: 'at least 40' },
  { title: 'idle session TTL below 60 seconds', kind: 'Agent', break: (s) => { s.idleSessionTtlInSeconds = 59; }, field: 'spec.idleSessionTtlInSeconds' },
  { title: 'idle session TTL above 5400 seconds', kind: 'Agent', break: (s) => { s.idleSessionTtlInSeconds = 5401; }, field: 'spec.idleSessionTtlInSeconds' },
  { title: 'foundation model that is no model ID', kind: 'Agent', break: (s) => { s.foundationModel = 'gpt-4'; }, field: 'spec.foundationModel' },
  { title: 'action group with two executors', kind: 'Agent', break: (s) => { s.actionGroups[0].actionGroupExecutor.lambdaArn = 'arn:aws:lambda:us-east-1:123456789012:function:f'; }, field: 'spec.actionGroups[0].actionGroupExecutor', says: 'must validate one and only one schema' },
  { title: 'action group with API and function schema', kind: 'Agent', break: (s) => { s.actionGroups[0].apiSchema = { payload: '{}' }; }, field: 'spec.actionGroups[0]', says: 'not both' },
  { title: 'built-in action group with a description', kind: 'Agent', break: (s) => { s.actionGroups.push({ name: 'ask', description: 'asks the user', parentActionGroupSignature: 'AMAZON.UserInput' }); }, field: 'spec.actionGroups[1]', says: 'takes no description, executor or schema' },
  { title: 'an alias without routing on an agent that is never prepared', kind: 'Agent', break: (s) => { Object.assign(s, { prepareAgent: false, aliases: [{ name: 'live' }] }); }, field: 'spec', says: 'needs a prepared agent' },
  { title: 'two action groups of one name', kind: 'Agent', break: (s) => { s.actionGroups.push(structuredClone(s.actionGroups[0])); }, field: 'spec.actionGroups[1]', says: 'Duplicate' },
  { title: 'KMS key that is no key ARN', kind: 'Agent', break: (s) => { s.customerEncryptionKey = 'alias/mine'; }, field: 'spec.customerEncryptionKey' },
  { title: 'role ARN with a short account', kind: 'Agent', break: (s) => { s.iamRole = 'arn:aws:iam::123:role/x'; }, field: 'spec.iamRole' },
  { title: 'memory kept longer than 365 days', kind: 'Agent', break: (s) => { s.memoryConfiguration = { enabledMemoryTypes: ['SESSION_SUMMARY'], storageDays: 400 }; }, field: 'spec.memoryConfiguration.storageDays' },
  { title: 'alias routing to a version that is no number', kind: 'Agent', break: (s) => { s.aliases = [{ name: 'live', routingConfiguration: [{ agentVersion: 'latest' }] }]; }, field: 'spec.aliases[0].routingConfiguration[0].agentVersion' },
];
