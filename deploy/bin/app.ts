#!/usr/bin/env node
// The example app. Context values (cdk.json, or -c name=value):
//   lambdaVersion  V1_0 | V2_0 | V3_0    optional: the event version Cognito
//                  sends follows the mapping's triggerVersion; given, it must
//                  be the same
//   lambdaZip      the package `make package` built (arm64)
//   mappingFile    the mapping YAML uploaded to the bucket
//   refresh        CLAIMS_MAPPING_REFRESH, e.g. 1m; unset: no hot reload
//   cli            the claimsmapper CLI for this machine (make build), which
//                  derives the function's IAM policy from the mapping
//   alarmEmail     an address the alarms are sent to; unset: none
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { ClaimsMapperStack, parseLambdaVersion, resolveCode } from '../lib/stack';

const app = new App();
// Paths in context are relative to deploy/, where cdk runs.
const base = path.resolve(__dirname, '..', '..');
const email = app.node.tryGetContext('alarmEmail') as string | undefined;
new ClaimsMapperStack(app, String(app.node.tryGetContext('stackName') ?? 'ClaimsMapper'), {
  lambdaVersion: parseLambdaVersion(app.node.tryGetContext('lambdaVersion')),
  lambdaCode: resolveCode(String(app.node.tryGetContext('lambdaZip') ?? '../dist/claimsmapper-arm64.zip'), base),
  mappingFile: path.resolve(base, String(app.node.tryGetContext('mappingFile') ?? 'mapping.yaml')),
  refresh: app.node.tryGetContext('refresh') as string | undefined,
  cli: path.resolve(base, String(app.node.tryGetContext('cli') ?? '../bin/claimsmapper')),
  alarmEmail: email || undefined,
});
