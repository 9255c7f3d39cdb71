/**
 * The BullMQ job id of a delivery's current job. A job id blocks duplicates only while the job exists, and a failed
 * job keeps its id: every sweep therefore gets a new, stable id (BullMQ ids may not contain `:`).
 */
export function deliveryJobIdOf(deliveryId: string, sweeps: number): string {
  return sweeps === 0 ? deliveryId : `${deliveryId}-r${sweeps}`;
}
