/** Time as the notifier sees it: injectable so that quiet hours can be tested at any hour. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
