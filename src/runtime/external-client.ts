// What a kind supplies to the generic runtime: its external client, in the shape of
// crossplane-runtime's managed reconciler with references resolved first.
//
//   resolve  reads what the spec names in Kubernetes (a role's ARN, a Lambda's ARN, a ConfigMap's
//            files) and writes the child objects the spec implies (generated IAMRoles); it may
//            wait (WaitingError) or refuse (TerminalError). It makes no AWS write.
//   observe  reads AWS only: does the resource exist, is it ours, and what differs from what
//            `resolve` gave (the plan). A failed read fails the pass; it never stands in for data.
//   create   creates the resource in AWS.
//   update   carries out (a step of) the plan and says whether it wrote anything.
//   coverage (optional) what of the spec the runtime the object runs on cannot carry out: the
//            RuntimeCoverage condition (an Agent on AgentCore with per-step prompt overrides).
//   findings (optional) what the object's policies allow that they should not: from the spec
//            alone, before resolve, so that --refuse-findings stops an object before anything.
//   checkAccess (optional) after resolve: whether AWS would allow the calls the service makes
//            with the object's role. It makes no AWS write.
//   delete   deletes what is ours in AWS and says whether something is still going.
//   finalize on deletion, after delete (or instead of it with deletion policy retain): releases
//            what `resolve` made in Kubernetes.
//
// Every verb gets the pass's context; its signal is also applied to every SDK and Kubernetes call
// made during the pass (pass-context.ts).
import type { Finding } from '../api/common.ts';
import type { CustomResource, DeletionPolicy } from '../api/metadata.ts';
import type { MilestoneReason, TerminalReason } from '../api/reasons.ts';
import type { Logger } from '../log.ts';

export interface PassContext {
  /** Aborted once the pass's deadline passes or the operator shuts down. */
  signal: AbortSignal;
  /** Carries the object's key. */
  log: Logger;
  /**
   * The object was Ready for its generation and resolved inputs when this process last saw it
   * (after a restart: its status says so): the pass checks for drift rather than applying a change,
   * so observe may answer from an account listing. Set for observe; a watch can start a pass before
   * the informer has the status the previous pass wrote, so the object's own status may lag.
   */
  driftCheck?: boolean;
}

/** The resource exists but is not ours to change: the reason, and what to do about it. */
export interface Blocked {
  reason: TerminalReason;
  message: string;
}

/** What observe found. `status` holds the kind's status fields (ARN, IDs) as observed. */
export type Observation<Status, Plan> =
  | { exists: false; status: Partial<Status>; blocked?: undefined }
  | { exists: true; status: Partial<Status>; blocked: Blocked }
  | {
    exists: true;
    status: Partial<Status>;
    blocked?: undefined;
    /** The aspects that differ, named for Events and logs ("trust policy", "alias live"); empty when in sync. */
    diff: string[];
    /** What update needs to bring the resource to the spec. */
    plan: Plan;
  };

/** Whether update sent any write to AWS. A pass that wrote nothing and still differs makes no progress. */
export interface UpdateResult {
  wrote: boolean;
  /** Milestones the update reached that people should hear of, each as a Normal Event (a migration done). */
  done?: { reason: MilestoneReason; message: string }[];
}

/** What the runtime an object runs on cannot carry out of its spec; no gaps: all of it. */
export interface Coverage {
  runtime: string;
  /** Each names the field and what to do instead ("spec.promptOverrides: …"). */
  gaps: string[];
}

export interface DeleteResult {
  /** A delete call was sent in this pass. */
  wrote: boolean;
  /** Something of ours is still there (being deleted): the finalizer stays and the pass is repeated. */
  remaining: boolean;
}

/** Whether AWS would allow what the service does with the object's role, and what decides. */
export interface AccessVerdict {
  outcome: 'allowed' | 'denied' | 'unknown';
  /** Names the call, the resource and the policy that decides (or what could not be read). */
  message: string;
}

export interface ExternalClient<Spec extends object, Status extends object, Resolved, Plan> {
  resolve(obj: CustomResource<Spec, Status>, ctx: PassContext): Promise<Resolved>;
  observe(obj: CustomResource<Spec, Status>, resolved: Resolved, ctx: PassContext): Promise<Observation<Status, Plan>>;
  findings?(obj: CustomResource<Spec, Status>): Finding[];
  /** Undefined: the kind runs everywhere the same. */
  coverage?(obj: CustomResource<Spec, Status>): Coverage | undefined;
  /** Undefined: nothing to check for this object. */
  checkAccess?(obj: CustomResource<Spec, Status>, resolved: Resolved, ctx: PassContext): Promise<AccessVerdict | undefined>;
  create(obj: CustomResource<Spec, Status>, resolved: Resolved, ctx: PassContext): Promise<void>;
  update(obj: CustomResource<Spec, Status>, resolved: Resolved, plan: Plan, ctx: PassContext): Promise<UpdateResult>;
  delete(obj: CustomResource<Spec, Status>, ctx: PassContext): Promise<DeleteResult>;
  finalize?(obj: CustomResource<Spec, Status>, policy: DeletionPolicy, ctx: PassContext): Promise<void>;
}
