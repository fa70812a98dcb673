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

function synth(lambdaVersion: LambdaVersionName, refresh?: string, alarmEmail?: string): Template {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'claimsmapper-cdk-')) });
  const stack = new ClaimsMapperStack(app, 'Test', {
    lambdaVersion,
    lambdaCode: code,
    mappingFile: path.join(deployDir, 'mapping.yaml'),
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
    it(`points the pre token generation trigger at the live alias with version ${v}`, () => {
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

describe('context checks', () => {
  it('accepts the three trigger versions and defaults to V1_0', () => {
    assert.equal(parseLambdaVersion(undefined), 'V1_0');
    for (const v of ['V1_0', 'V2_0', 'V3_0']) assert.equal(parseLambdaVersion(v), v);
  });

  it('refuses an unknown trigger version with the allowed ones', () => {
    assert.throws(() => parseLambdaVersion('V4_0'), /lambdaVersion "V4_0": want one of V1_0, V2_0, V3_0/);
  });

  it('says to run make package when the zip is missing', () => {
    assert.throws(() => resolveCode('no-such.zip', deployDir), /run `make package`/);
  });
});
