import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  Annotations, ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack, Token,
  aws_cloudwatch as cloudwatch,
  aws_cloudwatch_actions as cwactions,
  aws_cognito as cognito,
  aws_dynamodb as dynamodb,
  aws_iam as iam,
  aws_kms as kms,
  aws_lambda as lambda,
  aws_logs as logs,
  aws_s3 as s3,
  aws_s3_deployment as s3deploy,
  aws_sns as sns,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** The namespace the function writes its metrics to unless told otherwise. */
export const DEFAULT_NAMESPACE = 'claimsmapper';

/** The default S3 key of an uploaded mapping. */
export const DEFAULT_MAPPING_KEY = 'claimsmapper/mapping.yaml';

/** Where a bundled mapping lands in the function: layers unpack under /opt. */
export const BUNDLED_MAPPING_PATH = '/opt/claimsmapper/mapping.yaml';

/** Lambda allows 4 KB of environment variables in total. */
const MAX_INLINE = 4096;

/** Options of an S3 mapping. */
export interface S3MappingOptions {
  /** The bucket to upload to; a versioned, private bucket is created when absent. */
  readonly bucket?: s3.IBucket;
  /** The object's key (default claimsmapper/mapping.yaml). */
  readonly key?: string;
  /**
   * How often running functions look for a changed object, a Go duration
   * such as 1m (CLAIMS_MAPPING_REFRESH); unset: never, the mapping changes
   * with a deploy only.
   */
  readonly refresh?: string;
}

/** How the function gets its mapping. */
export class MappingDelivery {
  /** The mapping's YAML in the CLAIMS_MAPPING variable (4 KB of environment at most). */
  static inline(yaml: string): MappingDelivery {
    return new MappingDelivery('inline', yaml);
  }

  /** A local file shipped with the function (in a layer, read from /opt at init). */
  static bundled(file: string): MappingDelivery {
    return new MappingDelivery('bundled', readMapping(file), file);
  }

  /** A local file uploaded to S3 at deploy, read at init and, with refresh, checked again. */
  static s3(file: string, options: S3MappingOptions = {}): MappingDelivery {
    return new MappingDelivery('s3', readMapping(file), file, options);
  }

  private constructor(
    readonly kind: 'inline' | 'bundled' | 's3',
    /** The mapping's text, which the IAM policy is derived from. */
    readonly text: string,
    readonly file?: string,
    readonly s3Options: S3MappingOptions = {},
  ) {}
}

function readMapping(file: string): string {
  if (!fs.existsSync(file)) {
    throw new Error(`mapping file ${JSON.stringify(file)} does not exist`);
  }
  return fs.readFileSync(file, 'utf8');
}

/** Thresholds of the alarms; every alarm counts over one-minute periods. */
export interface AlarmOptions {
  /** SNS topic told when an alarm fires and when it clears. */
  readonly topic?: sns.ITopic;
  /** Failed sign-ins (Failures) per minute that count as bad (default 1). */
  readonly failures?: number;
  /** Failed or timed-out lookups (SourceErrors, all sources) per minute that count as bad (default 1). */
  readonly sourceErrors?: number;
  /** Bad minutes out of the last five that fire the alarm (default 2): one blip does not page. */
  readonly datapointsToAlarm?: number;
  /**
   * p99 of the function's Duration, in milliseconds, that counts as slow
   * (default 3000): Cognito gives the trigger 5 seconds, then fails the
   * sign-in.
   */
  readonly slowMillis?: number;
}

/**
 * Signed mappings (an S3 mapping only): the function serves only what a
 * KMS key signed, so writing the bucket is no longer enough to change a
 * token; using the key is. See the README's "Trust" section.
 */
export interface SigningOptions {
  /**
   * The asymmetric SIGN_VERIFY key to sign with. Default: a new
   * ECC_NIST_P256 key, kept when the stack is deleted.
   */
  readonly key?: kms.IKey;
  /**
   * Who may assume the publisher role, the one principal this construct
   * lets sign (default: this account, so IAM policies decide who).
   */
  readonly publisherPrincipal?: iam.IPrincipal;
  /**
   * The key's public key, PEM (aws kms get-public-key): the function then
   * reads it from its setting, with no KMS permission and no KMS request at
   * init. Default: the function reads it from KMS once per cold start.
   */
  readonly publicKey?: string;
}

export interface ClaimsMapperTriggerProps {
  /**
   * The function's code: `make package`'s zip (cmd/bootstrap, the function
   * without the CLI: under 4 MB), or a folder holding bootstrap.
   */
  readonly code: lambda.Code;
  /** The code's architecture (default arm64, as `make package` builds it first). */
  readonly architecture?: lambda.Architecture;
  /** Where the mapping comes from. */
  readonly mapping: MappingDelivery;
  /**
   * Tables the mapping names through ${VAR}: the function gets VAR set to
   * the table's name, and the policy names the table's ARN.
   */
  readonly tables?: Record<string, dynamodb.ITable>;
  /** Other variables the mapping uses, with their values. */
  readonly environment?: Record<string, string>;
  /**
   * Restrict each source's statement to the attributes it reads
   * (dynamodb:Attributes). Off by default: with an S3 refresh, a changed
   * mapping that reads a new attribute is denied until the next deploy.
   */
  readonly restrictAttributes?: boolean;
  /**
   * A claimsmapper binary that runs where `cdk synth` runs; the policy is
   * its `iam-policy` output. Default: $CLAIMSMAPPER_CLI, else claimsmapper
   * on the PATH.
   */
  readonly cli?: string;
  /** Metrics namespace (default claimsmapper). */
  readonly metricsNamespace?: string;
  /** LOG_LEVEL: debug logs user data, so keep it for investigations (default info). */
  readonly logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Memory in MB (default 256). */
  readonly memorySize?: number;
  /** How long the logs are kept (default one month). */
  readonly logRetention?: logs.RetentionDays;
  /** Alarm thresholds and the topic to notify. */
  readonly alarms?: AlarmOptions;
  /** Name of the alias Cognito invokes (default live). */
  readonly aliasName?: string;
  /** Also create a CloudWatch dashboard of the metrics (default false). */
  readonly dashboard?: boolean;
  /**
   * Require signed mappings (MappingDelivery.s3 only). The mapping is then
   * not uploaded at deploy: publish it with `claimsmapper publish
   * --sign-key` as the publisher role, before the function's first cold
   * start.
   */
  readonly signing?: SigningOptions;
}

/**
 * claimsmapper as a Cognito Pre Token Generation trigger: the function, its
 * mapping, a role that may read exactly what the mapping reads, alarms, and
 * an alias that Cognito invokes, so a deploy switches every sign-in to the
 * new version at once and can be rolled back by pointing the alias back.
 */
export class ClaimsMapperTrigger extends Construct {
  readonly function: lambda.Function;
  /** What Cognito invokes: the published version of this deploy. */
  readonly alias: lambda.Alias;
  /** The mapping's bucket, for an S3 mapping. */
  readonly bucket?: s3.IBucket;
  /** s3://bucket/key of an S3 mapping: what diff, publish, history and rollback take. */
  readonly mappingUri?: string;
  readonly namespace: string;
  readonly alarms: cloudwatch.Alarm[] = [];
  /** The DynamoDB statements derived from the mapping. */
  readonly policyStatements: iam.PolicyStatement[];
  /**
   * The trigger version the mapping is written for (its triggerVersion, read
   * at synth by `claimsmapper trigger-version`), or undefined when the
   * mapping does not say. attachTo sets the user pool's trigger to it.
   */
  readonly mappingTriggerVersion?: cognito.LambdaVersion;
  /** The key mappings are signed with, when signing is on. */
  readonly signingKey?: kms.IKey;
  /**
   * The role that may sign and publish mappings (kms:Sign on the key, and
   * the S3 permissions of publish, history and rollback), when signing is
   * on: the only principal this construct grants kms:Sign.
   */
  readonly publisherRole?: iam.Role;

  constructor(scope: Construct, id: string, props: ClaimsMapperTriggerProps) {
    super(scope, id);
    this.namespace = props.metricsNamespace ?? DEFAULT_NAMESPACE;
    if (!/^[A-Za-z0-9 ._/#:-]{1,255}$/.test(this.namespace) || this.namespace.startsWith('AWS/')) {
      // The function would refuse it at init.
      throw new Error(`metricsNamespace ${JSON.stringify(this.namespace)}: CloudWatch allows up to 255 letters, digits, spaces and . - _ / # :, and none starting with AWS/`);
    }
    const tables = props.tables ?? {};
    for (const name of Object.keys(tables)) {
      if (props.environment && name in props.environment) {
        throw new Error(`${name} is in both tables and environment: name it in one (tables, when it names a table the mapping reads)`);
      }
    }
    const environment: Record<string, string> = {
      ...props.environment,
      CLAIMS_METRICS_NAMESPACE: this.namespace,
    };
    for (const [name, table] of Object.entries(tables)) {
      environment[name] = table.tableName;
    }
    // The mapping's ${NAME} may read exactly the variables given here, and
    // nothing else of the function's environment.
    const allowEnv = allowedVariables(props);
    if (allowEnv) environment.CLAIMS_MAPPING_ENV = allowEnv;
    if (props.logLevel) environment.LOG_LEVEL = props.logLevel;

    const m = props.mapping;
    let layers: lambda.ILayerVersion[] | undefined;
    let mappingKey: string | undefined;
    let upload: s3deploy.BucketDeployment | undefined;
    switch (m.kind) {
      case 'inline':
        if (Buffer.byteLength(m.text) > MAX_INLINE) {
          throw new Error(`the inline mapping is ${Buffer.byteLength(m.text)} bytes; Lambda allows 4 KB of environment in all: use MappingDelivery.bundled or MappingDelivery.s3`);
        }
        environment.CLAIMS_MAPPING = m.text;
        break;
      case 'bundled': {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'claimsmapper-mapping-'));
        fs.mkdirSync(path.join(dir, 'claimsmapper'));
        fs.copyFileSync(m.file!, path.join(dir, 'claimsmapper', 'mapping.yaml'));
        layers = [new lambda.LayerVersion(this, 'Mapping', {
          code: lambda.Code.fromAsset(dir),
          description: 'claimsmapper mapping',
        })];
        environment.CLAIMS_MAPPING_URI = BUNDLED_MAPPING_PATH;
        break;
      }
      case 's3': {
        const o = m.s3Options;
        mappingKey = o.key ?? DEFAULT_MAPPING_KEY;
        this.bucket = o.bucket ?? new s3.Bucket(this, 'Mappings', {
          // Versioned, so every mapping ever deployed can be restored.
          versioned: true,
          blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
          encryption: s3.BucketEncryption.S3_MANAGED,
          enforceSSL: true,
          removalPolicy: RemovalPolicy.RETAIN,
        });
        // A signed mapping is published with its signature; an upload at
        // deploy would write an unsigned one over it, which the function
        // refuses.
        if (!props.signing) {
          upload = new s3deploy.BucketDeployment(this, 'Upload', {
            destinationBucket: this.bucket,
            sources: [s3deploy.Source.data(mappingKey, m.text)],
            prune: false,
            extract: true,
          });
        }
        this.mappingUri = `s3://${this.bucket.bucketName}/${mappingKey}`;
        environment.CLAIMS_MAPPING_URI = this.mappingUri;
        if (o.refresh) environment.CLAIMS_MAPPING_REFRESH = o.refresh;
        break;
      }
    }

    if (props.signing) {
      if (m.kind !== 's3') {
        throw new Error(`signing applies to MappingDelivery.s3 only: a ${m.kind} mapping ships with the function's own deploy`);
      }
      this.signingKey = props.signing.key ?? new kms.Key(this, 'SigningKey', {
        description: 'claimsmapper: signs published mappings',
        keySpec: kms.KeySpec.ECC_NIST_P256,
        keyUsage: kms.KeyUsage.SIGN_VERIFY,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      environment.CLAIMS_MAPPING_VERIFY_KEY = props.signing.publicKey ?? this.signingKey.keyArn;
    }

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.function = new lambda.Function(this, 'Function', {
      description: 'claimsmapper: Cognito Pre Token Generation from a declarative mapping',
      runtime: lambda.Runtime.PROVIDED_AL2023,
      architecture: props.architecture ?? lambda.Architecture.ARM_64,
      handler: 'bootstrap',
      code: props.code,
      memorySize: props.memorySize ?? 256,
      // Cognito waits 5 seconds at most; the function answers before its
      // own deadline, so keep that under Cognito's.
      timeout: Duration.seconds(5),
      environment,
      layers,
      logGroup,
    });
    if (upload) {
      // The function reads the mapping at init: upload it first.
      this.function.node.addDependency(upload);
    }
    if (m.kind === 's3') {
      this.function.addToRolePolicy(new iam.PolicyStatement({
        sid: 'ReadMapping',
        actions: ['s3:GetObject'],
        resources: [this.bucket!.arnForObjects(mappingKey!)],
      }));
    }
    if (this.signingKey) this.publisherRole = this.addSigning(props.signing!, mappingKey!);

    this.policyStatements = derivePolicy(this, m.text, tables, props);
    this.mappingTriggerVersion = mappingTriggerVersion(m.text, props);
    for (const s of this.policyStatements) this.function.addToRolePolicy(s);

    // Cognito invokes $LATEST unless the trigger names a version: the alias
    // points at the version this deploy published, so every sign-in moves
    // to new code, mapping and settings at once, and a rollback is pointing
    // the alias back (aws lambda update-alias).
    this.alias = new lambda.Alias(this, 'Alias', {
      aliasName: props.aliasName ?? 'live',
      version: this.function.currentVersion,
    });

    this.addAlarms(props.alarms ?? {});
    if (props.dashboard) this.addDashboard();
  }

  /**
   * The trigger version a user pool gets: the mapping's triggerVersion;
   * lambdaVersion, when given, must be the same. A mapping that does not say
   * gets lambdaVersion, or V1_0. A pool set to another version than the one
   * the mapping is written for silently loses claims (V1 never changes the
   * access token), so a difference fails the synth.
   */
  triggerVersion(lambdaVersion?: cognito.LambdaVersion): cognito.LambdaVersion {
    const fromMapping = this.mappingTriggerVersion;
    if (lambdaVersion !== undefined && fromMapping !== undefined && lambdaVersion !== fromMapping) {
      throw new Error(`the trigger version ${lambdaVersion} asked for differs from the mapping's triggerVersion: ${fromMapping}: `
        + `Cognito would send ${lambdaVersion} events to a mapping written for ${fromMapping}. `
        + `Leave the version out to follow the mapping, or change triggerVersion in the mapping (and deploy the pool with it before publishing the mapping)`);
    }
    return lambdaVersion ?? fromMapping ?? cognito.LambdaVersion.V1_0;
  }

  /**
   * The publisher role and the function's one KMS permission: the function
   * may read the key's public key (unless it was given the key itself) and
   * nothing else; only the publisher role may sign.
   */
  private addSigning(o: SigningOptions, mappingKey: string): iam.Role {
    const key = this.signingKey!;
    if (!o.publicKey) {
      this.function.addToRolePolicy(new iam.PolicyStatement({
        sid: 'ReadVerificationKey',
        actions: ['kms:GetPublicKey'],
        resources: [key.keyArn],
      }));
    }
    const role = new iam.Role(this, 'Publisher', {
      description: 'claimsmapper: signs and publishes the mapping (claimsmapper publish --sign-key)',
      assumedBy: o.publisherPrincipal ?? new iam.AccountRootPrincipal(),
    });
    role.addToPolicy(new iam.PolicyStatement({ sid: 'SignMappings', actions: ['kms:Sign', 'kms:GetPublicKey'], resources: [key.keyArn] }));
    role.addToPolicy(new iam.PolicyStatement({
      sid: 'PublishMapping',
      actions: ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject'],
      resources: [this.bucket!.arnForObjects(mappingKey)],
    }));
    role.addToPolicy(new iam.PolicyStatement({
      sid: 'ListMappingVersions',
      actions: ['s3:ListBucketVersions', 's3:GetBucketVersioning'],
      resources: [this.bucket!.bucketArn],
    }));
    new CfnOutput(this, 'PublisherRoleArn', { value: role.roleArn, description: 'assume it to run claimsmapper publish --sign-key' });
    new CfnOutput(this, 'SigningKeyArn', { value: key.keyArn, description: 'what claimsmapper publish --sign-key takes' });
    return role;
  }

  /**
   * Makes this the user pool's Pre Token Generation trigger, invoked through
   * the alias, with the version the mapping is written for (see
   * triggerVersion). V2_0 and V3_0 need the Essentials or Plus feature plan:
   * a pool whose featurePlan is LITE fails the synth. Returns the version set.
   */
  attachTo(userPool: cognito.UserPool, lambdaVersion?: cognito.LambdaVersion): cognito.LambdaVersion {
    const version = this.triggerVersion(lambdaVersion);
    if (version !== cognito.LambdaVersion.V1_0) {
      const tier = (userPool.node.defaultChild as cognito.CfnUserPool).userPoolTier;
      if (tier === cognito.FeaturePlan.LITE) {
        throw new Error(`the trigger version ${version} needs the Essentials or Plus feature plan, but the user pool ${userPool.node.path} has featurePlan LITE: `
          + `set featurePlan: cognito.FeaturePlan.ESSENTIALS (or PLUS) on the pool, or use triggerVersion: V1_0 in the mapping (ID token claims only)`);
      }
      if (tier === undefined || Token.isUnresolved(tier)) {
        // A new pool defaults to Essentials; a pool created before the plans
        // existed stays on Lite unless told.
        Annotations.of(this).addWarningV2('claimsmapper:featurePlan',
          `the trigger version ${version} needs the Essentials or Plus feature plan; the user pool ${userPool.node.path} does not set featurePlan: `
          + 'a new pool gets Essentials, but an existing Lite pool would refuse the trigger at deploy. Set featurePlan on the pool to say which');
      }
    }
    userPool.addTrigger(cognito.UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG, this.alias, version);
    return version;
  }

  /** One of the function's metrics (see the README's Operating section). */
  metric(name: string, dimensions: Record<string, string> = {}, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: this.namespace,
      metricName: name,
      dimensionsMap: { FunctionName: this.function.functionName, ...dimensions },
      statistic: 'Sum',
      period: Duration.minutes(1),
      ...props,
    });
  }

  /** The dashboard, when dashboard is set. */
  dashboard?: cloudwatch.Dashboard;

  private addDashboard(): void {
    // One line per source, whatever the mapping names: a search over the
    // Source dimension.
    const bySource = (name: string, statistic: string) => [new cloudwatch.MathExpression({
      expression: `SEARCH('{"${this.namespace}",FunctionName,Source} MetricName="${name}" FunctionName="${this.function.functionName}"', '${statistic}', 60)`,
      usingMetrics: {},
      label: '',
      period: Duration.minutes(1),
    })];
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      widgets: [
        [
          new cloudwatch.GraphWidget({ title: 'Sign-ins and failures', left: [this.metric('Invocations'), this.metric('Failures')], width: 8 }),
          new cloudwatch.GraphWidget({ title: 'Duration (ms)', left: [this.metric('Duration', {}, { statistic: 'p50' }), this.metric('Duration', {}, { statistic: 'p99' })], width: 8 }),
          new cloudwatch.GraphWidget({ title: 'Claims added and rule errors', left: [this.metric('ClaimsAdded'), this.metric('ClaimErrors')], width: 8 }),
        ],
        [
          new cloudwatch.GraphWidget({ title: 'Source errors', left: bySource('SourceErrors', 'Sum'), right: bySource('SourceTimeouts', 'Sum'), width: 8 }),
          new cloudwatch.GraphWidget({ title: 'Source latency p99 (ms)', left: bySource('SourceLatency', 'p99'), width: 8 }),
          new cloudwatch.GraphWidget({
            title: 'Mapping refreshes',
            left: ['unchanged', 'updated', 'rejected', 's3-error'].map((o) => this.metric('MappingRefresh', { Outcome: o }, { label: o })),
            width: 8,
          }),
        ],
      ],
    });
  }

  private addAlarms(o: AlarmOptions): void {
    const bad = o.datapointsToAlarm ?? 2;
    const alarm = (id: string, description: string, metric: cloudwatch.IMetric, threshold: number, datapoints: number) => {
      const a = new cloudwatch.Alarm(this, id, {
        alarmDescription: description,
        metric,
        threshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 5,
        datapointsToAlarm: datapoints,
        // No sign-ins means nothing failed.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      if (o.topic) {
        a.addAlarmAction(new cwactions.SnsAction(o.topic));
        a.addOkAction(new cwactions.SnsAction(o.topic));
      }
      this.alarms.push(a);
    };
    alarm('FailuresAlarm', 'Sign-ins are failing: Cognito shows the person an error. Logs: msg "event failed" with the rule, the reason and the mapping sha256.',
      this.metric('Failures'), o.failures ?? 1, bad);
    alarm('SourceErrorsAlarm', 'DynamoDB lookups are failing or timing out: tokens lack the claims of those sources (or sign-ins fail, for onError: fail). Metric SourceErrors by Source says which.',
      this.metric('SourceErrors'), o.sourceErrors ?? 1, bad);
    alarm('RejectedRefreshAlarm', 'A changed mapping in S3 was rejected as invalid; the previous one still serves. Logs: msg "mapping rejected" with every finding.',
      this.metric('MappingRefresh', { Outcome: 'rejected' }), 1, 1);
    alarm('SlowAlarm', 'Sign-ins are slow: p99 Duration nears the 5 seconds Cognito waits before failing them. SourceLatency by Source says which table.',
      this.metric('Duration', {}, { statistic: 'p99' }), o.slowMillis ?? 3000, bad);
    // Crashes, timeouts and init failures write no metrics of their own.
    alarm('ErrorsAlarm', 'The function fails or times out (including an init failure: an invalid mapping at cold start).',
      this.alias.metricErrors({ period: Duration.minutes(1), statistic: 'Sum' }), 1, bad);
  }
}

/** The variables the construct sets to table placeholders before running the CLI. */
function placeholder(i: number): string {
  return `CLAIMSMAPPERTABLE${i}`;
}

/**
 * The only resource the construct takes from the CLI: one table, or one
 * index of it, each named by DynamoDB's rule (3 to 255 letters, digits, _, -
 * and .), so no "*", "?", "/" or ARN fragment ever reaches the policy, even
 * from a CLI that let one through.
 */
const RESOURCE = /^arn:aws:dynamodb:\*:\*:table\/([A-Za-z0-9_.-]{3,255})(?:\/index\/([A-Za-z0-9_.-]{3,255}))?$/;

/**
 * Runs `claimsmapper iam-policy` over the mapping and turns its statements
 * into CDK ones: a table the mapping names through a variable in `tables`
 * becomes that table's ARN; any other name, a table of this account and
 * region.
 */
function derivePolicy(scope: Construct, text: string, tables: Record<string, dynamodb.ITable>,
  props: ClaimsMapperTriggerProps): iam.PolicyStatement[] {
  const names = Object.keys(tables);
  // Every region and account, asked for by name: the CLI refuses to guess
  // them, and the construct puts each table's own ARN (this stack's region
  // and account, or the table's) in place of what it prints.
  const args = ['iam-policy', '--region', '*', '--account', '*', ...envArgs(props)];
  if (props.restrictAttributes) args.push('--attributes');
  args.push('-');
  const doc = JSON.parse(runCLI(props.cli, args, text, allowedVariables(props)));
  const stack = Stack.of(scope);
  return doc.Statement.map((s: any) => {
    const match = RESOURCE.exec(s.Resource);
    if (!match) throw new Error(`claimsmapper iam-policy printed an unexpected resource ${JSON.stringify(s.Resource)}`);
    const [, tableName, index] = match;
    let arn: string;
    const i = names.findIndex((_, j) => placeholder(j) === tableName);
    if (i >= 0) {
      arn = tables[names[i]].tableArn;
    } else if (names.some((_, j) => tableName.includes(placeholder(j)))) {
      throw new Error(`the mapping's table ${JSON.stringify(tableName.replace(/CLAIMSMAPPERTABLE(\d+)/g, (_, j) => '${' + names[+j] + '}'))} is built from a variable in tables: a variable in tables must be the whole table name`);
    } else {
      arn = stack.formatArn({ service: 'dynamodb', resource: 'table', resourceName: tableName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    }
    if (index) arn = `${arn}/index/${index}`;
    return new iam.PolicyStatement({
      sid: s.Sid,
      effect: iam.Effect.ALLOW,
      actions: [s.Action],
      resources: [arn],
      conditions: s.Condition,
    });
  });
}

/**
 * The --env flags that give the CLI the mapping's ${NAME}s as the function
 * has them: a table's variable is a placeholder (derivePolicy turns it back
 * into the table's ARN), any other its value.
 */
function envArgs(props: ClaimsMapperTriggerProps): string[] {
  const args: string[] = [];
  Object.keys(props.tables ?? {}).forEach((n, i) => args.push('--env', `${n}=${placeholder(i)}`));
  for (const [n, v] of Object.entries(props.environment ?? {})) args.push('--env', `${n}=${v}`);
  return args;
}

const LAMBDA_VERSIONS: Record<string, cognito.LambdaVersion> = {
  V1_0: cognito.LambdaVersion.V1_0,
  V2_0: cognito.LambdaVersion.V2_0,
  V3_0: cognito.LambdaVersion.V3_0,
};

/**
 * Runs `claimsmapper trigger-version` over the mapping: its triggerVersion,
 * or undefined when it does not say.
 */
function mappingTriggerVersion(text: string, props: ClaimsMapperTriggerProps): cognito.LambdaVersion | undefined {
  const out = runCLI(props.cli, ['trigger-version', ...envArgs(props), '-'], text, allowedVariables(props)).trim();
  if (out === '') return undefined;
  const v = LAMBDA_VERSIONS[out];
  if (v === undefined) throw new Error(`claimsmapper trigger-version printed an unexpected version ${JSON.stringify(out)}`);
  return v;
}

/**
 * CLAIMS_MAPPING_ENV: the variables in tables and environment, which the
 * mapping may read; empty when there are none.
 */
function allowedVariables(props: ClaimsMapperTriggerProps): string {
  return [...Object.keys(props.environment ?? {}), ...Object.keys(props.tables ?? {})].join(',');
}

/**
 * Runs the claimsmapper CLI with the mapping on standard input; allowEnv is
 * the function's CLAIMS_MAPPING_ENV, so the CLI reads the mapping as the
 * function will.
 */
export function runCLI(cli: string | undefined, args: string[], input: string, allowEnv = ''): string {
  const bin = cli ?? process.env.CLAIMSMAPPER_CLI ?? 'claimsmapper';
  try {
    // Only PATH from this environment: a ${VAR} the construct was not told
    // about fails here, at synth, rather than at the function's init.
    const env: Record<string, string> = { PATH: process.env.PATH ?? '' };
    if (allowEnv) env.CLAIMS_MAPPING_ENV = allowEnv;
    return execFileSync(bin, args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], env });
  } catch (e: any) {
    if (e.code === 'ENOENT') {
      throw new Error(`cannot run ${JSON.stringify(bin)}: build the CLI (make build puts it in bin/claimsmapper) and pass it as cli or CLAIMSMAPPER_CLI`);
    }
    if (String(e.stderr).includes(`unknown command "${args[0]}"`)) {
      throw new Error(`${JSON.stringify(bin)} is a claimsmapper older than this construct and has no ${args[0]} command: build the CLI from the same checkout (make build)`);
    }
    throw new Error(`claimsmapper ${args[0]} failed:\n${e.stderr ?? e.message}`);
  }
}
