// Synthesizes the example offline (no AWS account, no credentials) and checks
// the template: the trigger's version, the function's environment, and that
// the role may read only the mapped table and the mapping object.
//
// The function code is a stand-in folder holding a fake bootstrap, so the
// test needs no Go build; `make package` output is what real deployments use.
import { describe, it, before } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ClaimsMapperStack, LambdaVersionName, MAPPING_KEY, parseLambdaVersion, resolveCode } from '../lib/stack';

const deployDir = path.resolve(__dirname, '..', '..');
let code: string;

before(() => {
  code = fs.mkdtempSync(path.join(os.tmpdir(), 'claimsmapper-code-'));
  fs.writeFileSync(path.join(code, 'bootstrap'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
});

function synth(lambdaVersion: LambdaVersionName, refresh?: string): Template {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'claimsmapper-cdk-')) });
  const stack = new ClaimsMapperStack(app, 'Test', {
    lambdaVersion,
    lambdaCode: code,
    mappingFile: path.join(deployDir, 'mapping.yaml'),
    refresh,
    env: { account: '111111111111', region: 'eu-west-1' },
  });
  return Template.fromStack(stack);
}

// The one policy statement with the given Sid.
function statement(t: Template, sid: string): Record<string, any> {
  const found: Record<string, any>[] = [];
  for (const p of Object.values(t.findResources('AWS::IAM::Policy'))) {
    for (const s of p.Properties.PolicyDocument.Statement) {
      if (s.Sid === sid) found.push(s);
    }
  }
  assert.equal(found.length, 1, `statements with Sid ${sid}`);
  return found[0];
}

function logicalId(t: Template, type: string): string {
  const ids = Object.keys(t.findResources(type));
  assert.equal(ids.length, 1, `resources of type ${type}`);
  return ids[0];
}

describe('the example stack', () => {
  for (const v of ['V1_0', 'V2_0', 'V3_0'] as const) {
    it(`points the pre token generation trigger at the function with version ${v}`, () => {
      const t = synth(v);
      const fn = t.findResources('AWS::Lambda::Function', { Properties: { Handler: 'bootstrap' } });
      const fnId = Object.keys(fn);
      assert.equal(fnId.length, 1);
      t.hasResourceProperties('AWS::Cognito::UserPool', {
        LambdaConfig: {
          PreTokenGenerationConfig: {
            LambdaArn: { 'Fn::GetAtt': [fnId[0], 'Arn'] },
            LambdaVersion: v,
          },
        },
        UserPoolTier: v === 'V1_0' ? 'LITE' : 'ESSENTIALS',
      });
      // Cognito may invoke it.
      t.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        Principal: 'cognito-idp.amazonaws.com',
        FunctionName: { 'Fn::GetAtt': [fnId[0], 'Arn'] },
      });
    });
  }

  it('runs the function on arm64 provided.al2023 with the mapping in S3 and the table name', () => {
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
          CLAIMS_MAPPING_URI: { 'Fn::Join': ['', ['s3://', { Ref: bucket }, `/${MAPPING_KEY}`]] },
          TABLE_NAME: { Ref: table },
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

  it('lets the function read the mapped table and nothing else in DynamoDB', () => {
    const t = synth('V1_0');
    const table = logicalId(t, 'AWS::DynamoDB::Table');
    const s = statement(t, 'ReadMappedTable');
    assert.deepEqual(s, {
      Sid: 'ReadMappedTable',
      Effect: 'Allow',
      Action: ['dynamodb:GetItem', 'dynamodb:Query'],
      Resource: [
        { 'Fn::GetAtt': [table, 'Arn'] },
        { 'Fn::Join': ['', [{ 'Fn::GetAtt': [table, 'Arn'] }, '/index/*']] },
      ],
    });
  });

  it('lets the function get the mapping object and nothing else in S3', () => {
    const t = synth('V1_0');
    const bucket = logicalId(t, 'AWS::S3::Bucket');
    const s = statement(t, 'ReadMapping');
    assert.deepEqual(s, {
      Sid: 'ReadMapping',
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, `/${MAPPING_KEY}`]] },
    });
  });

  it('gives the function role no other permissions than logging', () => {
    const t = synth('V1_0');
    const fns = t.findResources('AWS::Lambda::Function', { Properties: { Handler: 'bootstrap' } });
    const roleId = Object.values(fns)[0].Properties.Role['Fn::GetAtt'][0];
    const role = t.findResources('AWS::IAM::Role')[roleId];
    assert.deepEqual(role.Properties.ManagedPolicyArns, [
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSLambdaBasicExecutionRole']] },
    ]);
    const actions: string[] = [];
    for (const p of Object.values(t.findResources('AWS::IAM::Policy'))) {
      if (!p.Properties.Roles.some((r: any) => r.Ref === roleId)) continue;
      for (const s of p.Properties.PolicyDocument.Statement) {
        actions.push(...[s.Action].flat());
      }
    }
    assert.deepEqual(actions.sort(), ['dynamodb:GetItem', 'dynamodb:Query', 's3:GetObject']);
  });

  it('uploads the mapping to the key the function reads', () => {
    const t = synth('V1_0');
    t.resourceCountIs('Custom::CDKBucketDeployment', 1);
    const fns = t.findResources('AWS::Lambda::Function', { Properties: { Handler: 'bootstrap' } });
    const fn = Object.values(fns)[0];
    // The function depends on the upload, so a first deploy never starts it
    // without its mapping.
    assert.ok(fn.DependsOn?.some((d: string) => d.startsWith('Mapping')), `DependsOn ${fn.DependsOn}`);
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
