// No mapping can widen the function's role: for every mapping in the
// repository and for hostile table and index names, the synthesized policy
// of the function's role names single tables and indexes, never a "*".
import { describe, it, before } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack, aws_lambda as lambda } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ClaimsMapperTrigger, MappingDelivery } from '../lib/trigger';
import { ACCOUNT, REGION, cli, fakeCode, repoDir, roleStatements } from './helpers';

let codeDir: string;

before(() => {
  codeDir = fakeCode();
});

/** The function role's statements, or the error the construct threw. */
function functionStatements(text: string, environment: Record<string, string>): any[] | Error {
  const stack = new Stack(new App(), 'Test', { env: { account: ACCOUNT, region: REGION } });
  try {
    new ClaimsMapperTrigger(stack, 'Trigger', { code: lambda.Code.fromAsset(codeDir), cli: cli(), mapping: MappingDelivery.inline(text), environment });
  } catch (e: any) {
    return e;
  }
  const t = Template.fromStack(stack);
  const fn = Object.values(t.findResources('AWS::Lambda::Function', { Properties: { Handler: 'bootstrap' } }))[0];
  return roleStatements(t, fn.Properties.Role['Fn::GetAtt'][0]);
}

function assertNoWildcard(what: string, statements: any[]): void {
  for (const s of statements) {
    const resources = JSON.stringify(s.Resource);
    assert.ok(!/[*?]/.test(resources), `${what}: statement ${s.Sid} has resource ${resources}`);
  }
}

/** The repository's mappings that read tables (node_modules and dot folders left out). */
function repositoryMappings(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && !e.name.startsWith('.') && e.name !== 'build') walk(p);
      } else if (/\.ya?ml$/.test(e.name) && fs.readFileSync(p, 'utf8').includes('sources:')) {
        out.push(p);
      }
    }
  };
  walk(repoDir);
  return out;
}

const reserved = /^(AWS_|LAMBDA_|_|CLAIMS_)/i;

describe('the function role never gets a wildcard resource', () => {
  it('from any mapping in the repository', () => {
    let synthesized = 0;
    for (const file of repositoryMappings()) {
      const text = fs.readFileSync(file, 'utf8');
      if (Buffer.byteLength(text) > 4096) continue; // too large to deliver inline; the CLI test covers it
      // A hostile value for a variable is tried only where there is one.
      const values = /\$\{/.test(text) ? ['EnvTable', '*', 'Users/index/*'] : ['EnvTable'];
      for (const value of values) {
        const environment: Record<string, string> = {};
        for (const [, name] of text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)) {
          if (!reserved.test(name)) environment[name] = value;
        }
        const got = functionStatements(text, environment);
        if (got instanceof Error) continue;
        synthesized++;
        assertNoWildcard(`${path.relative(repoDir, file)} with every \${NAME} = ${JSON.stringify(value)}`, got);
      }
    }
    assert.ok(synthesized >= 5, `only ${synthesized} repository mappings synthesized`);
  });

  const hostile = ['*', '?', 'Users*', 'Tenants/index/*', 'arn:aws:dynamodb:*:*:table/*', 'table/*', 'ab', 'Users\n', 'Us ers'];
  for (const name of hostile) {
    for (const [what, text, environment] of [
      ['a table written in the mapping', `version: 1\nsources:\n  s: {table: ${JSON.stringify(name)}, key: {id: event.userName}}\nclaims:\n  a: s.a\n`, {}],
      ['an index written in the mapping', `version: 1\nsources:\n  s: {table: Users, index: ${JSON.stringify(name)}, query: {partition: {pk: event.userName}}}\nclaims:\n  a: s\n`, {}],
      ['a table named through ${T}', 'version: 1\nsources:\n  s: {table: "${T}", key: {id: event.userName}}\nclaims:\n  a: s.a\n', { T: name }],
    ] as [string, string, Record<string, string>][]) {
      it(`from ${what}: ${JSON.stringify(name)} is refused at synth`, () => {
        const got = functionStatements(text, environment);
        assert.ok(got instanceof Error, `synthesized: ${JSON.stringify(got)}`);
        assert.match(got.message, /is not a DynamoDB (table|index) name/);
      });
    }
  }
});
