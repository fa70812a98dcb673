import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  Duration, RemovalPolicy, Stack, StackProps, CfnOutput,
  aws_cognito as cognito,
  aws_dynamodb as dynamodb,
  aws_iam as iam,
  aws_lambda as lambda,
  aws_logs as logs,
  aws_s3 as s3,
  aws_s3_deployment as s3deploy,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** The trigger versions a user pool can send (see docs: V2 and V3 need the Essentials or Plus plan). */
export const LAMBDA_VERSIONS = ['V1_0', 'V2_0', 'V3_0'] as const;
export type LambdaVersionName = typeof LAMBDA_VERSIONS[number];

export interface ClaimsMapperStackProps extends StackProps {
  /** Event version Cognito sends to the trigger. */
  readonly lambdaVersion: LambdaVersionName;
  /** `make package`'s dist/claimsmapper-arm64.zip, or a folder holding bootstrap. */
  readonly lambdaCode: string;
  /** The mapping YAML to put in the bucket. */
  readonly mappingFile: string;
  /** How often running functions look for a changed mapping; "" turns it off. */
  readonly refresh?: string;
}

/** The S3 key of the mapping object. */
export const MAPPING_KEY = 'claimsmapper/mapping.yaml';

/**
 * A user pool whose Pre Token Generation trigger is claimsmapper: the users
 * table, a versioned bucket holding the mapping, the function built by
 * `make package`, and a role that may read only that table and that object.
 */
export class ClaimsMapperStack extends Stack {
  readonly table: dynamodb.Table;
  readonly bucket: s3.Bucket;
  readonly fn: lambda.Function;
  readonly userPool: cognito.UserPool;

  constructor(scope: Construct, id: string, props: ClaimsMapperStackProps) {
    super(scope, id, props);

    this.table = new dynamodb.Table(this, 'Users', {
      partitionKey: { name: 'userName', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Versioned, so every mapping ever deployed can be pinned with
    // ?versionId= or restored; private and TLS-only.
    this.bucket = new s3.Bucket(this, 'Mappings', {
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const upload = new s3deploy.BucketDeployment(this, 'Mapping', {
      destinationBucket: this.bucket,
      sources: [s3deploy.Source.data(MAPPING_KEY, fs.readFileSync(props.mappingFile, 'utf8'))],
      // Keep older versions of other objects; the bucket's versioning keeps
      // older mappings.
      prune: false,
      extract: true,
    });

    const logGroup = new logs.LogGroup(this, 'TriggerLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const environment: Record<string, string> = {
      CLAIMS_MAPPING_URI: `s3://${this.bucket.bucketName}/${MAPPING_KEY}`,
      TABLE_NAME: this.table.tableName,
    };
    if (props.refresh) {
      environment.CLAIMS_MAPPING_REFRESH = props.refresh;
    }
    this.fn = new lambda.Function(this, 'Trigger', {
      description: 'claimsmapper: Cognito Pre Token Generation from a declarative mapping',
      runtime: lambda.Runtime.PROVIDED_AL2023,
      architecture: lambda.Architecture.ARM_64,
      handler: 'bootstrap',
      code: lambda.Code.fromAsset(props.lambdaCode),
      memorySize: 256,
      // Cognito waits 5 seconds at most; the function answers before its own
      // deadline, so keep that under Cognito's.
      timeout: Duration.seconds(5),
      environment,
      logGroup,
    });
    // The function reads the mapping at init: upload it first.
    this.fn.node.addDependency(upload);

    // Least privilege: read the mapped table (and its indexes, which query:
    // sources may name) and the one mapping object; nothing else.
    this.fn.addToRolePolicy(new iam.PolicyStatement({
      sid: 'ReadMappedTable',
      actions: ['dynamodb:GetItem', 'dynamodb:Query'],
      resources: [this.table.tableArn, `${this.table.tableArn}/index/*`],
    }));
    this.fn.addToRolePolicy(new iam.PolicyStatement({
      sid: 'ReadMapping',
      actions: ['s3:GetObject'],
      resources: [this.bucket.arnForObjects(MAPPING_KEY)],
    }));

    this.userPool = new cognito.UserPool(this, 'UserPool', {
      signInAliases: { username: true, email: true },
      selfSignUpEnabled: false,
      // V2_0 and V3_0 events (access token claims, machine-to-machine) need
      // the Essentials plan; V1_0 works on every plan.
      featurePlan: props.lambdaVersion === 'V1_0' ? cognito.FeaturePlan.LITE : cognito.FeaturePlan.ESSENTIALS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.userPool.addTrigger(
      cognito.UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG,
      this.fn,
      cognito.LambdaVersion[props.lambdaVersion],
    );
    this.userPool.addClient('AppClient', { authFlows: { userSrp: true } });

    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'MappingUri', { value: environment.CLAIMS_MAPPING_URI });
    new CfnOutput(this, 'FunctionName', { value: this.fn.functionName });
  }
}

/** Checks a context value naming the trigger version. */
export function parseLambdaVersion(v: unknown): LambdaVersionName {
  const s = String(v ?? 'V1_0');
  if (!(LAMBDA_VERSIONS as readonly string[]).includes(s)) {
    throw new Error(`lambdaVersion ${JSON.stringify(s)}: want one of ${LAMBDA_VERSIONS.join(', ')}`);
  }
  return s as LambdaVersionName;
}

/** Resolves the Lambda code path and says how to build it when it is missing. */
export function resolveCode(p: string, base: string): string {
  const abs = path.resolve(base, p);
  if (!fs.existsSync(abs)) {
    throw new Error(`lambdaZip ${JSON.stringify(abs)} does not exist: run \`make package\` at the repository root`);
  }
  return abs;
}
