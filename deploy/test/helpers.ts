// Shared by the deploy tests: a stand-in function package, the CLI the
// construct runs, and a resolver for the few intrinsics a policy holds.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';

export const repoDir = path.resolve(__dirname, '..', '..', '..');
export const deployDir = path.join(repoDir, 'deploy');
export const ACCOUNT = '111111111111';
export const REGION = 'eu-west-1';

/** A folder holding a fake bootstrap: the tests need no Go cross-build. */
export function fakeCode(): string {
  const code = fs.mkdtempSync(path.join(os.tmpdir(), 'claimsmapper-code-'));
  fs.writeFileSync(path.join(code, 'bootstrap'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
  return code;
}

let built: string | undefined;

/**
 * The claimsmapper CLI the construct derives the policy with:
 * $CLAIMSMAPPER_CLI, or built once from this checkout (offline, from the
 * module cache).
 */
export function cli(): string {
  if (process.env.CLAIMSMAPPER_CLI) return process.env.CLAIMSMAPPER_CLI;
  if (!built) {
    built = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'claimsmapper-cli-')), 'claimsmapper');
    execFileSync('go', ['build', '-o', built, './cmd/claimsmapper'], { cwd: repoDir, stdio: 'inherit' });
  }
  return built;
}

/** Runs the CLI and parses its JSON output. */
export function cliJSON(...args: string[]): any {
  return cliJSONWithEnv({}, ...args);
}

/** cliJSON with variables added to the CLI's environment. */
export function cliJSONWithEnv(env: Record<string, string>, ...args: string[]): any {
  return JSON.parse(execFileSync(cli(), args, { cwd: repoDir, encoding: 'utf8', env: { ...process.env, ...env } }));
}

/**
 * Resolves what a synthesized policy holds (Fn::Join, the partition, a
 * table's Arn) into the plain strings `claimsmapper iam-policy` prints.
 */
export function resolve(v: any, t: Template): any {
  if (Array.isArray(v)) return v.map((x) => resolve(x, t));
  if (v === null || typeof v !== 'object') return v;
  if ('Fn::Join' in v) {
    const [sep, parts] = v['Fn::Join'];
    return parts.map((p: any) => resolve(p, t)).join(sep);
  }
  if ('Ref' in v) {
    if (v.Ref === 'AWS::Partition') return 'aws';
    throw new Error(`unexpected Ref ${v.Ref}`);
  }
  if ('Fn::GetAtt' in v) {
    const [id, attr] = v['Fn::GetAtt'];
    const r = t.toJSON().Resources[id];
    if (r?.Type === 'AWS::DynamoDB::Table' && attr === 'Arn') {
      return `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${r.Properties.TableName}`;
    }
    throw new Error(`unexpected Fn::GetAtt ${id}.${attr}`);
  }
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x, t)]));
}

/** The statements of every policy attached to the role with the given logical id. */
export function roleStatements(t: Template, roleId: string): any[] {
  const out: any[] = [];
  for (const p of Object.values(t.findResources('AWS::IAM::Policy'))) {
    if (!p.Properties.Roles.some((r: any) => r.Ref === roleId)) continue;
    out.push(...p.Properties.PolicyDocument.Statement);
  }
  return out;
}

export function logicalId(t: Template, type: string, props: any = {}): string {
  const ids = Object.keys(t.findResources(type, props));
  if (ids.length !== 1) throw new Error(`${ids.length} resources of type ${type}`);
  return ids[0];
}
