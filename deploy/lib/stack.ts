import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  RemovalPolicy, Stack, StackProps, CfnOutput,
  aws_cognito as cognito,
  aws_dynamodb as dynamodb,
  aws_lambda as lambda,
  aws_sns as sns,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ClaimsMapperTrigger, MappingDelivery } from './trigger';

/** The trigger versions a user pool can send (see docs: V2 and V3 need the Essentials or Plus plan). */
export const LAMBDA_VERSIONS = ['V1_0', 'V2_0', 'V3_0'] as const;
export type LambdaVersionName = typeof LAMBDA_VERSIONS[number];

export interface ClaimsMapperStackProps extends StackProps {
  /**
   * The event version Cognito sends to the trigger. Unset: the mapping's
   * triggerVersion (V1_0 when it does not say); set, it must be the same.
   */
  readonly lambdaVersion?: LambdaVersionName;
  /** `make package`'s dist/claimsmapper-arm64.zip, or a folder holding bootstrap. */
  readonly lambdaCode: string;
  /** The mapping YAML to put in the bucket. */
  readonly mappingFile: string;
  /** How often running functions look for a changed mapping; "" turns it off. */
  readonly refresh?: string;
  /** A claimsmapper binary for this machine, which derives the policy (make build). */
  readonly cli?: string;
  /** Where alarms are sent; unset: the alarms only show in CloudWatch. */
  readonly alarmEmail?: string;
}

/**
 * A user pool whose Pre Token Generation trigger is claimsmapper: the users
 * table, and the ClaimsMapperTrigger construct with the mapping in a
 * versioned bucket, a role that may read only what the mapping reads, alarms,
 * and the live alias Cognito invokes.
 */
export class ClaimsMapperStack extends Stack {
  readonly table: dynamodb.Table;
  readonly trigger: ClaimsMapperTrigger;
  readonly userPool: cognito.UserPool;

  constructor(scope: Construct, id: string, props: ClaimsMapperStackProps) {
    super(scope, id, props);

    this.table = new dynamodb.Table(this, 'Users', {
      partitionKey: { name: 'userName', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });

    let topic: sns.Topic | undefined;
    if (props.alarmEmail) {
      topic = new sns.Topic(this, 'Alarms');
      new sns.Subscription(this, 'AlarmEmail', { topic, protocol: sns.SubscriptionProtocol.EMAIL, endpoint: props.alarmEmail });
    }

    this.trigger = new ClaimsMapperTrigger(this, 'Trigger', {
      code: lambda.Code.fromAsset(props.lambdaCode),
      mapping: MappingDelivery.s3(props.mappingFile, { refresh: props.refresh || undefined }),
      // The mapping names its table as ${TABLE_NAME}.
      tables: { TABLE_NAME: this.table },
      cli: props.cli,
      alarms: { topic },
      dashboard: true,
    });

    // The version follows the mapping's triggerVersion (a lambdaVersion that
    // differs fails here, naming both).
    const explicit = props.lambdaVersion && cognito.LambdaVersion[props.lambdaVersion];
    const version = this.trigger.triggerVersion(explicit);
    this.userPool = new cognito.UserPool(this, 'UserPool', {
      signInAliases: { username: true, email: true },
      selfSignUpEnabled: false,
      // V2_0 and V3_0 events (access token claims, machine-to-machine) need
      // the Essentials plan; V1_0 works on every plan.
      featurePlan: version === cognito.LambdaVersion.V1_0 ? cognito.FeaturePlan.LITE : cognito.FeaturePlan.ESSENTIALS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.trigger.attachTo(this.userPool, explicit);
    this.userPool.addClient('AppClient', { authFlows: { userSrp: true } });

    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'FunctionName', { value: this.trigger.function.functionName });
    new CfnOutput(this, 'AliasArn', { value: this.trigger.alias.functionArn });
    // What mapping authors pass to claimsmapper diff, publish, history and rollback.
    new CfnOutput(this, 'MappingUri', {
      value: this.trigger.mappingUri!,
      description: 'the mapping in force: claimsmapper diff/publish/history/rollback take this s3:// address',
    });
  }
}

/**
 * Checks a context value naming the trigger version; unset, the version
 * follows the mapping.
 */
export function parseLambdaVersion(v: unknown): LambdaVersionName | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const s = String(v);
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
