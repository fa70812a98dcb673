// The ClaimsMapperTrigger construct on its own: the policy it derives equals
// what `claimsmapper iam-policy` prints for the same mapping, the three ways
// of delivering the mapping, the alarms, and the alias Cognito invokes.
import { describe, it, before } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack, aws_cognito as cognito, aws_dynamodb as dynamodb, aws_lambda as lambda, aws_sns as sns } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { BUNDLED_MAPPING_PATH, ClaimsMapperTrigger, ClaimsMapperTriggerProps, MappingDelivery } from '../lib/trigger';
import { ACCOUNT, REGION, cli, cliJSONWithEnv, deployDir, fakeCode, logicalId, repoDir, resolve, roleStatements } from './helpers';

let codeDir: string;

before(() => {
  codeDir = fakeCode();
});

type Build = (stack: Stack) => Partial<ClaimsMapperTriggerProps>;

function synth(build: Build, attach = true): { t: Template; trigger: ClaimsMapperTrigger } {
  const stack = new Stack(new App(), 'Test', { env: { account: ACCOUNT, region: REGION } });
  const trigger = new ClaimsMapperTrigger(stack, 'Trigger', {
    code: lambda.Code.fromAsset(codeDir), cli: cli(), mapping: MappingDelivery.inline('version: 1\ntriggerVersion: V2_0\nclaims:\n  plan: \'"free"\'\n'), ...build(stack),
  });
  // The version follows the mapping.
  if (attach) trigger.attachTo(new cognito.UserPool(stack, 'Pool', { featurePlan: cognito.FeaturePlan.ESSENTIALS }));
  return { t: Template.fromStack(stack), trigger };
}

/** The DynamoDB statements on the function's role, resolved to plain ARNs. */
function dynamoStatements(t: Template): any[] {
  const fn = Object.values(t.findResources('AWS::Lambda::Function', { Properties: { Handler: 'bootstrap' } }))[0];
  return roleStatements(t, fn.Properties.Role['Fn::GetAtt'][0])
    .filter((s) => String(s.Action).startsWith('dynamodb:'))
    .map((s) => resolve(s, t));
}

const usersTable = (stack: Stack) => new dynamodb.Table(stack, 'Users', {
  tableName: 'Users', partitionKey: { name: 'userName', type: dynamodb.AttributeType.STRING },
});

describe('the derived policy equals claimsmapper iam-policy', () => {
  const cases: { name: string; file: string; env: string[]; attributes: boolean; build: Build }[] = [
    {
      name: 'the example mapping, its table given as ${TABLE_NAME}',
      file: 'deploy/mapping.yaml', env: ['TABLE_NAME=Users'], attributes: false,
      build: (s) => ({ mapping: MappingDelivery.s3(path.join(deployDir, 'mapping.yaml')), tables: { TABLE_NAME: usersTable(s) } }),
    },
    {
      name: 'the example mapping restricted to the attributes it reads',
      file: 'deploy/mapping.yaml', env: ['TABLE_NAME=Users'], attributes: true,
      build: (s) => ({ mapping: MappingDelivery.bundled(path.join(deployDir, 'mapping.yaml')), tables: { TABLE_NAME: usersTable(s) }, restrictAttributes: true }),
    },
    {
      name: 'the seed mapping with its table name as a plain value',
      file: 'testdata/seed/mapping.yaml', env: ['TABLE_NAME=SampleUsers'], attributes: true,
      build: () => ({ mapping: MappingDelivery.bundled(path.join(repoDir, 'testdata/seed/mapping.yaml')), environment: { TABLE_NAME: 'SampleUsers' }, restrictAttributes: true }),
    },
    {
      name: 'the full mapping: three tables, GetItem and Query',
      file: 'testdata/full/mapping.yaml', env: [], attributes: true,
      build: () => ({ mapping: MappingDelivery.s3(path.join(repoDir, 'testdata/full/mapping.yaml')), restrictAttributes: true }),
    },
    {
      name: 'a query on an index and a whole-item source',
      file: 'cmd/claimsmapper/testdata/tools/iam-index.yaml', env: [], attributes: true,
      build: () => ({ mapping: MappingDelivery.inline(fs.readFileSync(path.join(repoDir, 'cmd/claimsmapper/testdata/tools/iam-index.yaml'), 'utf8')), restrictAttributes: true }),
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { t } = synth(c.build);
      const args = ['iam-policy', '--region', REGION, '--account', ACCOUNT, ...c.env.flatMap((e) => ['--env', e])];
      if (c.attributes) args.push('--attributes');
      // The CLI reads the mapping as the function will: with the variables
      // the construct gives it allowed.
      const allow = c.env.map((e) => e.split('=')[0]).join(',');
      const want = cliJSONWithEnv({ CLAIMS_MAPPING_ENV: allow }, ...args, c.file).Statement;
      assert.ok(want.length > 0);
      assert.deepEqual(dynamoStatements(t), want);
    });
  }

  it('a mapping without sources gets no DynamoDB permission', () => {
    assert.deepEqual(dynamoStatements(synth(() => ({})).t), []);
  });

  it('refuses a table variable that is only part of the table name', () => {
    assert.throws(() => synth((s) => ({
      mapping: MappingDelivery.inline('version: 1\nsources:\n  u: {table: "${T}-users", key: {id: event.userName}}\nclaims:\n  a: u.a\n'),
      tables: { T: usersTable(s) },
    })), /"\$\{T\}-users" is built from a variable in tables: a variable in tables must be the whole table name/);
  });

  it('refuses a variable given both as a table and as a value', () => {
    assert.throws(() => synth((s) => ({ tables: { TABLE_NAME: usersTable(s) }, environment: { TABLE_NAME: 'Users' } })),
      /TABLE_NAME is in both tables and environment/);
  });

  it('fails at synth when the mapping uses a variable it was not given', () => {
    assert.throws(() => synth(() => ({
      mapping: MappingDelivery.inline('version: 1\nsources:\n  u: {table: "${NOT_GIVEN}", key: {id: event.userName}}\nclaims:\n  a: u.a\n'),
    })), /\$\{NOT_GIVEN\} is not allowed/);
  });

  it('says how to build the CLI when it cannot run it', () => {
    assert.throws(() => synth(() => ({ cli: '/nonexistent/claimsmapper' })), /make build/);
  });
});

describe('mapping delivery', () => {
  it('inline puts the mapping in CLAIMS_MAPPING', () => {
    const { t } = synth(() => ({}));
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.exact({ CLAIMS_MAPPING: Match.stringLikeRegexp('plan'), CLAIMS_METRICS_NAMESPACE: 'claimsmapper' }) },
    });
  });

  it('refuses an inline mapping over 4 KB and names the alternatives', () => {
    assert.throws(() => synth(() => ({ mapping: MappingDelivery.inline('#'.repeat(5000)) })), /MappingDelivery.bundled or MappingDelivery.s3/);
  });

  it('bundled ships the file in a layer and points CLAIMS_MAPPING_URI at it', () => {
    const { t } = synth(() => ({ mapping: MappingDelivery.bundled(path.join(deployDir, 'mapping.yaml')), environment: { TABLE_NAME: 'Users' } }));
    const layer = logicalId(t, 'AWS::Lambda::LayerVersion');
    t.hasResourceProperties('AWS::Lambda::Function', {
      Layers: [{ Ref: layer }],
      Environment: { Variables: Match.objectLike({ CLAIMS_MAPPING_URI: BUNDLED_MAPPING_PATH, TABLE_NAME: 'Users', CLAIMS_MAPPING_ENV: 'TABLE_NAME' }) },
    });
  });

  it('s3 uploads to a versioned bucket, sets the refresh and may read only that object', () => {
    const { t } = synth(() => ({ mapping: MappingDelivery.s3(path.join(deployDir, 'mapping.yaml'), { key: 'm/prod.yaml', refresh: '30s' }), environment: { TABLE_NAME: 'Users' } }));
    const bucket = logicalId(t, 'AWS::S3::Bucket');
    t.hasResourceProperties('AWS::S3::Bucket', { VersioningConfiguration: { Status: 'Enabled' } });
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ CLAIMS_MAPPING_URI: { 'Fn::Join': ['', ['s3://', { Ref: bucket }, '/m/prod.yaml']] }, CLAIMS_MAPPING_REFRESH: '30s' }) },
    });
  });

  it('refuses a metrics namespace CloudWatch would not take', () => {
    assert.throws(() => synth(() => ({ metricsNamespace: 'AWS/Lambda' })), /none starting with AWS\//);
    assert.throws(() => synth(() => ({ metricsNamespace: 'sign"in' })), /CloudWatch allows/);
  });

  it('sets the metrics namespace and log level it is given', () => {
    const { t } = synth(() => ({ metricsNamespace: 'signin', logLevel: 'warn' }));
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ CLAIMS_METRICS_NAMESPACE: 'signin', LOG_LEVEL: 'warn' }) },
    });
  });
});

describe('alias', () => {
  it('publishes a version and points the live alias at it', () => {
    const { t } = synth(() => ({}));
    const fn = logicalId(t, 'AWS::Lambda::Function', { Properties: { Handler: 'bootstrap' } });
    const version = logicalId(t, 'AWS::Lambda::Version');
    t.hasResourceProperties('AWS::Lambda::Version', { FunctionName: { Ref: fn } });
    t.hasResourceProperties('AWS::Lambda::Alias', {
      Name: 'live',
      FunctionName: { Ref: fn },
      FunctionVersion: { 'Fn::GetAtt': [version, 'Version'] },
    });
  });

  it('attachTo makes the alias, not $LATEST, the trigger, and lets Cognito invoke only it', () => {
    const { t } = synth(() => ({}));
    const alias = logicalId(t, 'AWS::Lambda::Alias');
    t.hasResourceProperties('AWS::Cognito::UserPool', {
      LambdaConfig: { PreTokenGenerationConfig: { LambdaArn: { Ref: alias }, LambdaVersion: 'V2_0' } },
    });
    const perms = Object.values(t.findResources('AWS::Lambda::Permission'));
    assert.equal(perms.length, 1);
    assert.deepEqual(perms[0].Properties.FunctionName, { Ref: alias });
    assert.equal(perms[0].Properties.Principal, 'cognito-idp.amazonaws.com');
  });
});

describe('alarms', () => {
  it('alarm on failures, source errors, rejected refreshes and function errors', () => {
    const { t } = synth(() => ({}));
    const fn = logicalId(t, 'AWS::Lambda::Function', { Properties: { Handler: 'bootstrap' } });
    const alias = logicalId(t, 'AWS::Lambda::Alias');
    t.resourceCountIs('AWS::CloudWatch::Alarm', 5);
    const common = {
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 5,
      Period: 60,
      Statistic: 'Sum',
      TreatMissingData: 'notBreaching',
    };
    const ours = (name: string, dims: any[], threshold: number, datapoints: number) => t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ...common, Namespace: 'claimsmapper', MetricName: name, Threshold: threshold, DatapointsToAlarm: datapoints,
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: fn } }, ...dims],
    });
    ours('Failures', [], 1, 2);
    ours('SourceErrors', [], 1, 2);
    ours('MappingRefresh', [{ Name: 'Outcome', Value: 'rejected' }], 1, 1);
    const { Statistic: _, ...slow } = common;
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ...slow, Namespace: 'claimsmapper', MetricName: 'Duration', ExtendedStatistic: 'p99', Threshold: 3000, DatapointsToAlarm: 2,
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: fn } }],
    });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ...common, Namespace: 'AWS/Lambda', MetricName: 'Errors', Threshold: 1,
      Dimensions: Match.arrayWith([{ Name: 'Resource', Value: Match.anyValue() }]),
    });
    assert.equal(Object.values(t.findResources('AWS::CloudWatch::Alarm')).filter((a) => a.Properties.AlarmActions).length, 0);
    void alias;
  });

  it('have no dashboard unless asked; the dashboard searches every source of the function', () => {
    synth(() => ({})).t.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    const { t } = synth(() => ({ dashboard: true }));
    const fn = logicalId(t, 'AWS::Lambda::Function', { Properties: { Handler: 'bootstrap' } });
    const body = JSON.stringify(Object.values(t.findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody);
    for (const want of ['SourceErrors', 'SourceLatency', 'MappingRefresh', 'Failures', fn]) {
      assert.ok(body.includes(want), `dashboard lacks ${want}: ${body}`);
    }
  });

  it('notify a topic when one is given, on alarm and when it clears', () => {
    const { t } = synth((s) => ({ alarms: { topic: new sns.Topic(s, 'Pager'), failures: 3 } }));
    const topic = logicalId(t, 'AWS::SNS::Topic');
    t.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { AlarmActions: [{ Ref: topic }], OKActions: [{ Ref: topic }] }, 5);
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Failures', Threshold: 3 });
  });
});

describe('the trigger version follows the mapping', () => {
  const mapping = (version?: string) => MappingDelivery.inline(
    `version: 1\n${version ? `triggerVersion: ${version}\n` : ''}claims:\n  plan: {const: free}\n`);

  /** Synthesizes a trigger for the mapping, attached to a pool with the given plan. */
  function attach(version: string | undefined, asked?: cognito.LambdaVersion, featurePlan?: cognito.FeaturePlan) {
    const stack = new Stack(new App(), 'Test', { env: { account: ACCOUNT, region: REGION } });
    const trigger = new ClaimsMapperTrigger(stack, 'Trigger', { code: lambda.Code.fromAsset(codeDir), cli: cli(), mapping: mapping(version) });
    const set = trigger.attachTo(new cognito.UserPool(stack, 'Pool', { featurePlan }), asked);
    return { stack, trigger, set, t: Template.fromStack(stack) };
  }
  const lambdaVersion = (t: Template) => Object.values(t.findResources('AWS::Cognito::UserPool'))[0]
    .Properties.LambdaConfig.PreTokenGenerationConfig.LambdaVersion;

  it('a V2 mapping attached without a version gets V2_0', () => {
    const { trigger, set, t } = attach('V2_0', undefined, cognito.FeaturePlan.ESSENTIALS);
    assert.equal(trigger.mappingTriggerVersion, cognito.LambdaVersion.V2_0);
    assert.equal(set, cognito.LambdaVersion.V2_0);
    assert.equal(lambdaVersion(t), 'V2_0');
  });

  it('a V3 mapping gets V3_0, and a V1 mapping V1_0, on the plans they need', () => {
    assert.equal(lambdaVersion(attach('V3_0', undefined, cognito.FeaturePlan.PLUS).t), 'V3_0');
    assert.equal(lambdaVersion(attach('V1_0', undefined, cognito.FeaturePlan.LITE).t), 'V1_0');
  });

  it('a V1 mapping attached as V2_0 fails the synth, naming both', () => {
    assert.throws(() => attach('V1_0', cognito.LambdaVersion.V2_0, cognito.FeaturePlan.ESSENTIALS),
      /the trigger version V2_0 asked for differs from the mapping's triggerVersion: V1_0/);
  });

  it('a V2 mapping attached as V1_0 fails the synth too', () => {
    assert.throws(() => attach('V2_0', cognito.LambdaVersion.V1_0), /V1_0 asked for differs from the mapping's triggerVersion: V2_0/);
  });

  it('the same version given explicitly is accepted', () => {
    assert.equal(lambdaVersion(attach('V2_0', cognito.LambdaVersion.V2_0).t), 'V2_0');
  });

  it('a V2 mapping on a Lite pool fails the synth, saying which plan it needs', () => {
    assert.throws(() => attach('V2_0', undefined, cognito.FeaturePlan.LITE),
      /the trigger version V2_0 needs the Essentials or Plus feature plan, but the user pool Test\/Pool has featurePlan LITE/);
    assert.throws(() => attach('V3_0', undefined, cognito.FeaturePlan.LITE), /V3_0 needs the Essentials or Plus feature plan/);
  });

  it('a V2 mapping on a pool that does not set its plan synthesizes, with a warning', () => {
    const { stack } = attach('V2_0');
    Annotations.fromStack(stack).hasWarning('/Test/Trigger', Match.stringLikeRegexp('does not set featurePlan'));
  });

  it('a mapping that does not say gets the version asked for, or V1_0', () => {
    const { trigger, t } = attach(undefined);
    assert.equal(trigger.mappingTriggerVersion, undefined);
    assert.equal(lambdaVersion(t), 'V1_0');
    assert.equal(lambdaVersion(attach(undefined, cognito.LambdaVersion.V3_0).t), 'V3_0');
  });

  it('reads the version of a mapping whose tables come from tables and environment', () => {
    const stack = new Stack(new App(), 'Test', { env: { account: ACCOUNT, region: REGION } });
    const trigger = new ClaimsMapperTrigger(stack, 'Trigger', {
      code: lambda.Code.fromAsset(codeDir), cli: cli(),
      mapping: MappingDelivery.inline('version: 1\ntriggerVersion: V3_0\nsources:\n  u: {table: "${T}", key: {id: event.userName}}\n  p: {table: "${P}", key: {id: event.userName}}\nclaims:\n  a: u.a\n  b: p.b\n'),
      tables: { T: usersTable(stack) }, environment: { P: 'Plans' },
    });
    assert.equal(trigger.mappingTriggerVersion, cognito.LambdaVersion.V3_0);
  });
});
