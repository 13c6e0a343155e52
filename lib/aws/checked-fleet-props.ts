/*
 * Props of a GpuFleet that its GpuInferenceEndpoint already checked. The endpoint checks every prop it passes to its
 * fleets by the same rules the fleet applies (models, settings, health, capacity, instance type, tags, per-model
 * limits), and hands the parsed values along, so a fleet inside an endpoint does not check them again; a GpuFleet
 * used on its own always checks its props. Not part of the public API (lib/index.ts does not export it): only the
 * endpoint registers props here, right after its own check.
 */
import type { EndpointSpec, HealthSpec, ModelSpec } from '../spec/schema';
import type { GpuFleetProps } from './gpu-fleet';

/** Fleet props with the values parsed from them, defaults filled in. */
export interface CheckedFleet {
  readonly props: GpuFleetProps;
  readonly model: ModelSpec;
  readonly health: HealthSpec;
  readonly settings: EndpointSpec;
}

const checkedByEndpoint = new WeakMap<GpuFleetProps, CheckedFleet>();

/** Registers fleet props the endpoint built from its checked props; returns them for the GpuFleet constructor. */
export function fleetPropsCheckedByEndpoint(checked: CheckedFleet): GpuFleetProps {
  checkedByEndpoint.set(checked.props, checked);
  return checked.props;
}

/** The parsed values of props an endpoint registered, or undefined: the fleet checks them itself. */
export function precheckedFleet(props: GpuFleetProps): CheckedFleet | undefined {
  return checkedByEndpoint.get(props);
}
