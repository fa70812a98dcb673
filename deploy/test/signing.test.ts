// Signed mappings in the construct: a signing key, a publisher role that
// alone may sign, and a function that may only read the public key.
import { describe, it, before } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { App, Stack, aws_iam as iam, aws_kms as kms, aws_lambda as lambda } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ClaimsMapperTrigger, ClaimsMapperTriggerProps, MappingDelivery } from '../lib/trigger';
import { ACCOUNT, REGION, cli, deployDir, fakeCode, roleStatements } from './helpers';

let codeDir: string;

before(() => {
  codeDir = fakeCode();
});

const mapping = () => MappingDelivery.s3(path.join(deployDir, 'mapping.yaml'));

function synth(build: (s: Stack) => Partial<ClaimsMapperTriggerProps>): { t: Template; trigger: ClaimsMapperTrigger } {
  const stack = new Stack(new App(), 'Test', { env: { account: ACCOUNT, region: REGION } });
  const trigger = new ClaimsMapperTrigger(stack, 'Trigger', {
    code: lambda.Code.fromAsset(codeDir), cli: cli(), mapping: mapping(), environment: { TABLE_NAME: 'Users' }, ...build(stack),
  });
  return { t: Template.fromStack(stack), trigger };
}

/** Every IAM statement in the template, with the logical ids of the roles it is attached to. */
function statements(t: Template): { roles: string[]; s: any }[] {
  const out: { roles: string[]; s: any }[] = [];
  for (const p of Object.values(t.findResources('AWS::IAM::Policy'))) {
    const roles = p.Properties.Roles.map((r: any) => r.Ref);
    for (const s of p.Properties.PolicyDocument.Statement) out.push({ roles, s });
  }
  return out;
}

const actions = (s: any): string[] => [].concat(s.Action);

function functionRole(t: Template): string {
  const fn = Object.values(t.findResources('AWS::Lambda::Function', { Properties: { Handler: 'bootstrap' } }))[0];
  return fn.Properties.Role['Fn::GetAtt'][0];
}

describe('signed mappings', () => {
  it('creates an ECC_NIST_P256 signing key, and only the publisher role may sign', () => {
    const { t, trigger } = synth(() => ({ signing: {} }));
    t.hasResourceProperties('AWS::KMS::Key', { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const publisher = Object.keys(t.findResources('AWS::IAM::Role')).find((id) => id.includes('Publisher'))!;
    assert.ok(trigger.publisherRole && publisher);
    const signers = statements(t).filter(({ s }) => actions(s).some((a) => a === 'kms:Sign' || a === 'kms:*'));
    assert.ok(signers.length > 0);
    for (const { roles } of signers) assert.deepEqual(roles, [publisher]);
    t.hasOutput('*', { Value: { 'Fn::GetAtt': [publisher, 'Arn'] } });
  });

  it('gives the function kms:GetPublicKey on the key, and no other KMS action', () => {
    const { t } = synth(() => ({ signing: {} }));
    const kmsActions = roleStatements(t, functionRole(t)).flatMap((s) => actions(s)).filter((a) => a.startsWith('kms:'));
    assert.deepEqual(kmsActions, ['kms:GetPublicKey']);
    const fn = Object.values(t.findResources('AWS::Lambda::Function', { Properties: { Handler: 'bootstrap' } }))[0];
    const key = Object.keys(t.findResources('AWS::KMS::Key'))[0];
    assert.deepEqual(fn.Properties.Environment.Variables.CLAIMS_MAPPING_VERIFY_KEY, { 'Fn::GetAtt': [key, 'Arn'] });
  });

  it('with the public key given, the function gets no KMS permission at all', () => {
    const pem = '-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n';
    const { t } = synth((s) => ({ signing: { key: kms.Key.fromKeyArn(s, 'Key', `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234`), publicKey: pem } }));
    assert.deepEqual(roleStatements(t, functionRole(t)).flatMap((s) => actions(s)).filter((a) => a.startsWith('kms:')), []);
    const fn = Object.values(t.findResources('AWS::Lambda::Function', { Properties: { Handler: 'bootstrap' } }))[0];
    assert.equal(fn.Properties.Environment.Variables.CLAIMS_MAPPING_VERIFY_KEY, pem);
    assert.equal(Object.keys(t.findResources('AWS::KMS::Key')).length, 0);
  });

  it('does not upload the mapping unsigned at deploy', () => {
    const { t } = synth(() => ({ signing: {} }));
    assert.equal(Object.keys(t.findResources('Custom::CDKBucketDeployment')).length, 0);
    const unsigned = synth(() => ({}));
    assert.equal(Object.keys(unsigned.t.findResources('Custom::CDKBucketDeployment')).length, 1);
  });

  it('takes a principal for the publisher role', () => {
    const { t } = synth(() => ({ signing: { publisherPrincipal: new iam.ArnPrincipal(`arn:aws:iam::${ACCOUNT}:role/ci`) } }));
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/ci` } }] },
    });
  });

  it('refuses signing for a mapping that is not in S3', () => {
    assert.throws(() => synth(() => ({ mapping: MappingDelivery.inline('version: 1\nclaims:\n  a: {const: x}\n'), signing: {} })), /MappingDelivery.s3 only/);
  });
});
