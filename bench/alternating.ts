import autocannon from 'autocannon';

export interface Figures {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

export interface Pair {
  conveyor: Figures;
  bare: Figures;
  /** The median round's conveyor/bare ratio of req/s. */
  ratio: number;
}

export type Load = Omit<autocannon.Options, 'url' | 'duration'>;

/** One autocannon run of `load` against `url`. */
export async function measure(url: string, load: Load, seconds: number): Promise<Figures> {
  const result = await autocannon({ ...load, url, duration: seconds });
  return { rps: Math.round(result.requests.average), p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.non2xx };
}

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * `rounds` rounds of the bare server then Conveyor, one after the other: this shared VM's speed drifts by
 * half within a minute, and one long run of each compared two different machines. Figures are then taken
 * from the median round.
 */
export async function alternate<T>(rounds: number, bare: () => Promise<T>, conveyor: () => Promise<T>): Promise<Array<{ conveyor: T; bare: T }>> {
  const results: Array<{ conveyor: T; bare: T }> = [];
  for (let round = 0; round < rounds; round++) {
    const bareFigures = await bare();
    results.push({ bare: bareFigures, conveyor: await conveyor() });
  }
  return results;
}

/** Conveyor and the bare server under autocannon in alternating rounds (`rounds` of seconds/rounds each), the median round's figures. */
export async function measurePair(conveyorUrl: string, bareUrl: string, load: Load, seconds: number, rounds: number): Promise<Pair> {
  const each = Math.max(1, Math.round(seconds / rounds));
  const results = await alternate(rounds, () => measure(bareUrl, load, each), () => measure(conveyorUrl, load, each));
  const summary = (pick: (r: { conveyor: Figures; bare: Figures }) => Figures): Figures => ({
    rps: median(results.map((r) => pick(r).rps)),
    p50: median(results.map((r) => pick(r).p50)),
    p99: median(results.map((r) => pick(r).p99)),
    errors: results.reduce((sum, r) => sum + pick(r).errors, 0),
  });
  return { conveyor: summary((r) => r.conveyor), bare: summary((r) => r.bare), ratio: median(results.map((r) => r.conveyor.rps / r.bare.rps)) };
}
