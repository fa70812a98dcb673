// Synthesizes the example offline (no AWS account, no credentials) and checks
// the template: the trigger's version and alias, the function's environment,
// and that the role may read only the mapped table and the mapping object.
import { describe, it, before } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ClaimsMapperStack, LambdaVersionName, parseLambdaVersion, resolveCode } from '../lib/stack';
import { DEFAULT_MAPPING_KEY } from '../lib/trigger';
import { cli, deployDir, fakeCode, logicalId, roleStatements } from './helpers';

let code: string;

before(() => {
  code = fakeCode();
});

/**
 * The example's mapping with its triggerVersion set to mappingVersion
 * (the example's own, V1_0, when unset), in a file of its own.
 */
function mappingFile(mappingVersion?: LambdaVersionName): string {
  const file = path.join(deployDir, 'mapping.yaml');
  if (!mappingVersion) return file;
  const text = fs.readFileSync(file, 'utf8').replace(/^triggerVersion: .*$/m, `triggerVersion: ${mappingVersion}`);
  assert.ok(text.includes(`triggerVersion: ${mappingVersion}`));
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'claimsmapper-mapping-')), 'mapping.yaml');
  fs.writeFileSync(out, text);
  return out;
}

function synth(mappingVersion?: LambdaVersionName, refresh?: string, alarmEmail?: string, lambdaVersion?: LambdaVersionName): Template {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'claimsmapper-cdk-')) });
  const stack = new ClaimsMapperStack(app, 'Test', {
    lambdaVersion,
    lambdaCode: code,
    mappingFile: mappingFile(mappingVersion),
    refresh,
    cli: cli(),
    alarmEmail,
    env: { account: '111111111111', region: 'eu-west-1' },
  });
  return Template.fromStack(stack);
}

const trigger = { Properties: { Handler: 'bootstrap' } };

describe('the example stack', () => {
  it('names the mapping in force as a stack output, for diff, publish, history and rollback', () => {
    const t = synth('V1_0');
    const bucket = logicalId(t, 'AWS::S3::Bucket');
    t.hasOutput('MappingUri', {
      Value: { 'Fn::Join': ['', ['s3://', { Ref: bucket }, `/${DEFAULT_MAPPING_KEY}`]] },
    });
  });

  for (const v of ['V1_0', 'V2_0', 'V3_0'] as const) {
    it(`points the pre token generation trigger at the live alias with the mapping's version ${v}, on the plan it needs`, () => {
      const t = synth(v);
      const alias = logicalId(t, 'AWS::Lambda::Alias');
      t.hasResourceProperties('AWS::Cognito::UserPool', {
        LambdaConfig: {
          PreTokenGenerationConfig: { LambdaArn: { Ref: alias }, LambdaVersion: v },
        },
        UserPoolTier: v === 'V1_0' ? 'LITE' : 'ESSENTIALS',
      });
      // Cognito may invoke the alias.
      t.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        Principal: 'cognito-idp.amazonaws.com',
        FunctionName: { Ref: alias },
      });
    });
  }

  it('runs the function on arm64 provided.al2023 with the mapping in S3, the table name and the metrics namespace', () => {
    const t = synth('V2_0');
    const bucket = logicalId(t, 'AWS::S3::Bucket');
    const table = logicalId(t, 'AWS::DynamoDB::Table');
    t.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'bootstrap',
      Runtime: 'provided.al2023',
      Architectures: ['arm64'],
      Timeout: 5,
      Environment: {
        Variables: Match.exact({
          CLAIMS_MAPPING_URI: { 'Fn::Join': ['', ['s3://', { Ref: bucket }, `/${DEFAULT_MAPPING_KEY}`]] },
          CLAIMS_METRICS_NAMESPACE: 'claimsmapper',
          TABLE_NAME: { Ref: table },
          CLAIMS_MAPPING_ENV: 'TABLE_NAME',
        }),
      },
    });
  });

  it('sets CLAIMS_MAPPING_REFRESH only when refresh is given', () => {
    const t = synth('V1_0', '1m');
    t.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'bootstrap',
      Environment: { Variables: Match.objectLike({ CLAIMS_MAPPING_REFRESH: '1m' }) },
    });
  });

  it('lets the function get items from the mapped table and nothing else in DynamoDB', () => {
    const t = synth('V1_0');
    const table = logicalId(t, 'AWS::DynamoDB::Table');
    const fn = Object.values(t.findResources('AWS::Lambda::Function', trigger))[0];
    const s = roleStatements(t, fn.Properties.Role['Fn::GetAtt'][0]).filter((s) => s.Sid === 'ReadUser');
    assert.deepEqual(s, [{
      Sid: 'ReadUser',
      Effect: 'Allow',
      Action: 'dynamodb:GetItem',
      Resource: { 'Fn::GetAtt': [table, 'Arn'] },
    }]);
  });

  it('lets the function get the mapping object and nothing else in S3', () => {
    const t = synth('V1_0');
    const bucket = logicalId(t, 'AWS::S3::Bucket');
    const fn = Object.values(t.findResources('AWS::Lambda::Function', trigger))[0];
    const s = roleStatements(t, fn.Properties.Role['Fn::GetAtt'][0]).filter((s) => s.Sid === 'ReadMapping');
    assert.deepEqual(s, [{
      Sid: 'ReadMapping',
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, `/${DEFAULT_MAPPING_KEY}`]] },
    }]);
  });

  it('gives the function role no other permissions than logging', () => {
    const t = synth('V1_0');
    const fn = Object.values(t.findResources('AWS::Lambda::Function', trigger))[0];
    const roleId = fn.Properties.Role['Fn::GetAtt'][0];
    const role = t.findResources('AWS::IAM::Role')[roleId];
    assert.deepEqual(role.Properties.ManagedPolicyArns, [
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSLambdaBasicExecutionRole']] },
    ]);
    const actions = roleStatements(t, roleId).flatMap((s) => [s.Action].flat());
    assert.deepEqual(actions.sort(), ['dynamodb:GetItem', 's3:GetObject']);
  });

  it('uploads the mapping to the key the function reads, before the function starts', () => {
    const t = synth('V1_0');
    t.resourceCountIs('Custom::CDKBucketDeployment', 1);
    const fn = Object.values(t.findResources('AWS::Lambda::Function', trigger))[0];
    assert.ok(fn.DependsOn?.some((d: string) => d.startsWith('TriggerUpload')), `DependsOn ${fn.DependsOn}`);
  });

  it('sends the alarms to an email address when one is given', () => {
    const t = synth('V1_0', undefined, 'oncall@example.com');
    t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' });
    const topic = logicalId(t, 'AWS::SNS::Topic');
    t.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { AlarmActions: [{ Ref: topic }] }, 5);
    t.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });
});

describe('the trigger version follows the mapping', () => {
  it('the example mapping says V1_0, and the pool gets it on the Lite plan', () => {
    const t = synth();
    t.hasResourceProperties('AWS::Cognito::UserPool', {
      LambdaConfig: { PreTokenGenerationConfig: { LambdaVersion: 'V1_0' } },
      UserPoolTier: 'LITE',
    });
  });

  it('a lambdaVersion that agrees with the mapping is accepted', () => {
    synth('V2_0', undefined, undefined, 'V2_0').hasResourceProperties('AWS::Cognito::UserPool', {
      LambdaConfig: { PreTokenGenerationConfig: { LambdaVersion: 'V2_0' } },
    });
  });

  it('a lambdaVersion that differs from the mapping fails the synth, naming both', () => {
    assert.throws(() => synth(undefined, undefined, undefined, 'V2_0'),
      /the trigger version V2_0 asked for differs from the mapping's triggerVersion: V1_0/);
  });
});

describe('context checks', () => {
  it('accepts the three trigger versions; unset, the version follows the mapping', () => {
    assert.equal(parseLambdaVersion(undefined), undefined);
    assert.equal(parseLambdaVersion(''), undefined);
    for (const v of ['V1_0', 'V2_0', 'V3_0']) assert.equal(parseLambdaVersion(v), v);
  });

  it('refuses an unknown trigger version with the allowed ones', () => {
    assert.throws(() => parseLambdaVersion('V4_0'), /lambdaVersion "V4_0": want one of V1_0, V2_0, V3_0/);
  });

  it('says to run make package when the zip is missing', () => {
    assert.throws(() => resolveCode('no-such.zip', deployDir), /run `make package`/);
  });
});
