/**
 * Resolves the CloudFormation intrinsics a synthesized template puts into Lambda environment
 * variables, against local physical names. Anything it does not know throws with its location,
 * so a new intrinsic in the CDK app fails `npm start` loudly instead of passing `[object Object]`.
 */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

export interface Template {
  readonly Resources?: Record<string, TemplateResource>;
  readonly Outputs?: Record<string, { Value: unknown; Export?: { Name: unknown } }>;
}

export interface StackContext {
  readonly stackName: string;
  readonly region: string;
  readonly account: string;
  readonly template: Template;
}

export interface ResolveContext {
  /** the stack whose value is being resolved */
  readonly stack: StackContext;
  /** every stack of the assembly, to find `Fn::ImportValue` exports */
  readonly stacks: readonly StackContext[];
  /** local physical name of a resource (what `Ref` returns unless `ref` says otherwise) */
  physicalName(stack: StackContext, logicalId: string): string;
  /** what `Ref` returns where it is not the physical name (a queue's URL). @default physicalName */
  ref?(stack: StackContext, logicalId: string): string;
  /** local value of `Fn::GetAtt` */
  attribute(stack: StackContext, logicalId: string, attribute: string): string;
}

export class IntrinsicError extends Error {
  override readonly name = 'IntrinsicError';
}

const pseudo = (ctx: ResolveContext, name: string): string | undefined => {
  switch (name) {
    case 'AWS::Region':
      return ctx.stack.region;
    case 'AWS::AccountId':
      return ctx.stack.account;
    case 'AWS::Partition':
      return 'aws';
    case 'AWS::URLSuffix':
      return 'amazonaws.com';
    case 'AWS::StackName':
      return ctx.stack.stackName;
    default:
      return undefined;
  }
};

/** Resolves `value` (a literal or an intrinsic) to a string; `where` names it in errors. */
export function resolveValue(value: unknown, ctx: ResolveContext, where: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new IntrinsicError(`${where}: cannot resolve ${JSON.stringify(value)}`);
  }
  const keys = Object.keys(value);
  const fn = keys[0];
  if (keys.length !== 1 || fn === undefined) {
    throw new IntrinsicError(`${where}: not an intrinsic: ${JSON.stringify(value)}`);
  }
  const arg = (value as Record<string, unknown>)[fn];
  switch (fn) {
    case 'Ref': {
      if (typeof arg !== 'string') throw new IntrinsicError(`${where}: Ref needs a string, got ${JSON.stringify(arg)}`);
      const p = pseudo(ctx, arg);
      if (p !== undefined) return p;
      if (!ctx.stack.template.Resources?.[arg]) {
        throw new IntrinsicError(`${where}: Ref to unknown resource ${arg} in ${ctx.stack.stackName}`);
      }
      return (ctx.ref ?? ctx.physicalName)(ctx.stack, arg);
    }
    case 'Fn::GetAtt': {
      const [logicalId, attribute] = typeof arg === 'string' ? arg.split('.', 2) : (arg as unknown[]);
      if (typeof logicalId !== 'string' || typeof attribute !== 'string') {
        throw new IntrinsicError(`${where}: bad Fn::GetAtt ${JSON.stringify(arg)}`);
      }
      if (!ctx.stack.template.Resources?.[logicalId]) {
        throw new IntrinsicError(`${where}: Fn::GetAtt of unknown resource ${logicalId} in ${ctx.stack.stackName}`);
      }
      return ctx.attribute(ctx.stack, logicalId, attribute);
    }
    case 'Fn::Join': {
      if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== 'string' || !Array.isArray(arg[1])) {
        throw new IntrinsicError(`${where}: bad Fn::Join ${JSON.stringify(arg)}`);
      }
      const [separator, parts] = arg as [string, unknown[]];
      return parts.map((part, i) => resolveValue(part, ctx, `${where}/Fn::Join[${i}]`)).join(separator);
    }
    case 'Fn::ImportValue': {
      const exportName = resolveValue(arg, ctx, `${where}/Fn::ImportValue`);
      for (const stack of ctx.stacks) {
        // Exports are regional in CloudFormation: only a stack of the same region can provide one.
        if (stack.region !== ctx.stack.region) continue;
        for (const [outputId, output] of Object.entries(stack.template.Outputs ?? {})) {
          if (output.Export === undefined) continue;
          const name = resolveValue(
            output.Export.Name,
            { ...ctx, stack },
            `${stack.stackName}/Outputs/${outputId}/Export`,
          );
          if (name === exportName) {
            return resolveValue(output.Value, { ...ctx, stack }, `${stack.stackName}/Outputs/${outputId}`);
          }
        }
      }
      throw new IntrinsicError(`${where}: no stack in ${ctx.stack.region} exports ${exportName}`);
    }
    default:
      throw new IntrinsicError(
        `${where}: unsupported intrinsic ${fn} (local/intrinsics.ts resolves Ref, Fn::GetAtt, Fn::ImportValue, Fn::Join)`,
      );
  }
}
