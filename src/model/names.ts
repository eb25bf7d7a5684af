/** "thread.email_sent" → "ThreadEmailSent"; anything that is not a letter or digit separates words. */
export function pascalCase(text: string): string {
  const words = text
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w.length > 0);
  const joined = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join("");
  if (joined === "") return "Schema";
  return /^[0-9]/.test(joined) ? `T${joined}` : joined;
}

/** Hands out unique identifiers: the second "Actor" becomes "Actor2". */
export class NameRegistry {
  private readonly used = new Set<string>();

  constructor(reserved: Iterable<string> = []) {
    for (const name of reserved) this.used.add(name);
  }

  claim(wanted: string): string {
    let name = wanted;
    for (let n = 2; this.used.has(name); n++) name = `${wanted}${n}`;
    this.used.add(name);
    return name;
  }
}

/** An event name as a file name: only letters, digits, ".", "_" and "-", never starting with ".". */
export function stubFileName(event: string): string {
  const safe = event.replace(/[^A-Za-z0-9._-]/g, "_");
  return safe.startsWith(".") || safe === "" ? `_${safe}` : safe;
}

/** An event name, and where it is declared (a file, with a pointer into a bundle). */
export interface NamedEvent {
  name: string;
  file: string;
}

export interface NameCollision {
  a: NamedEvent;
  b: NamedEvent;
  /** What they collide as: "identifier OnAB" or "handler stub file a_b.ts". */
  as: string;
}

/**
 * Pairs of distinct event names of one provider that the generator would turn into the same
 * identifier (`a b` and `a_b` are both AB: its type, its stub's function) or the same stub file
 * (`a b` and `a_b` are both a_b.ts; `Ping` and `ping` are one file on a case-insensitive file
 * system). Numbering one of them would make a name depend on the other event's existence, and
 * one stub file cannot hold both: each is a problem.
 */
export function eventNameCollisions(events: readonly NamedEvent[]): NameCollision[] {
  const collisions: NameCollision[] = [];
  const keys: [key: (name: string) => string, as: (event: NamedEvent) => string][] = [
    [pascalCase, (e) => `identifier ${pascalCase(e.name)}`],
    [(name) => stubFileName(name).toLowerCase(), (e) => `handler stub file ${stubFileName(e.name)}.ts (file names that differ only in case are one file on case-insensitive file systems)`],
  ];
  for (const [key, as] of keys) {
    const first = new Map<string, NamedEvent>();
    for (const event of events) {
      const k = key(event.name);
      const previous = first.get(k);
      if (previous === undefined) first.set(k, event);
      else if (previous.name !== event.name) collisions.push({ a: previous, b: event, as: as(previous) });
    }
  }
  return collisions;
}
