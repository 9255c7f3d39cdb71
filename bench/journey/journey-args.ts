// `pnpm bench journey [--rate N] [--seconds N] [--steps a,b,c] [--step-seconds N] [--peers N] [--port-base N]`

export interface JourneyOptions {
  /** Phase 1: intakes per second, held for `seconds`. */
  readonly rate: number;
  readonly seconds: number;
  /** Phase 2: offered rates, tried in order until one is not sustained. */
  readonly steps: readonly number[];
  readonly stepSeconds: number;
  readonly peers: number;
  /** First of the services' ports (console +0, intake +1, matching +2, notifier +3, gRPC +11/+12). */
  readonly portBase: number;
}

export const JOURNEY_DEFAULTS: JourneyOptions = { rate: 5, seconds: 60, steps: [5, 10, 20, 40], stepSeconds: 15, peers: 400, portBase: 8600 };

const positive = (flag: string, text: string | undefined, integer: boolean): number => {
  const value = Number(text);
  if (text === undefined || text.trim() === '' || !Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new Error(`${flag} needs a positive ${integer ? 'whole ' : ''}number (got ${text === undefined ? 'nothing' : `"${text}"`})`);
  }
  return value;
};

export function parseJourneyArgs(args: readonly string[]): JourneyOptions {
  const options: { -readonly [K in keyof JourneyOptions]: JourneyOptions[K] } = { ...JOURNEY_DEFAULTS };
  for (let i = 0; i < args.length; i += 2) {
    const flag = args[i]!;
    const value = args[i + 1];
    switch (flag) {
      case '--rate':
        options.rate = positive(flag, value, false);
        break;
      case '--seconds':
        options.seconds = positive(flag, value, false);
        break;
      case '--step-seconds':
        options.stepSeconds = positive(flag, value, false);
        break;
      case '--peers':
        options.peers = positive(flag, value, true);
        break;
      case '--port-base': {
        const base = positive(flag, value, true);
        if (base < 1024 || base > 65_000) throw new Error(`--port-base must be between 1024 and 65000 (got ${base})`);
        options.portBase = base;
        break;
      }
      case '--steps': {
        if (value === undefined || value.trim() === '') throw new Error('--steps needs a comma-separated list of rates, e.g. 5,10,20,40');
        const steps = value.split(',').map((part) => positive('--steps', part, false));
        if (steps.some((rate, k) => k > 0 && rate <= steps[k - 1]!)) throw new Error(`--steps must rise (got ${value})`);
        options.steps = steps;
        break;
      }
      default:
        throw new Error(`unknown option "${flag}"; options: --rate, --seconds, --steps, --step-seconds, --peers, --port-base`);
    }
  }
  return options;
}
