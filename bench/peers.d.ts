// Types of bench/peers.js, for test/bench-peers.test.ts.

export declare const peerNames: { schemasafe: string; typebox: string; typia: string };

export type Check = (payload: unknown) => boolean;

export interface PeerVersion {
  label: string;
  document: unknown;
  model: { provider: { title: string } };
  typesFile: string;
}

export declare function preparePeers<V extends PeerVersion>(
  versions: V[],
  options: { root: string; work: string; progress: (text: string) => void; skipped: string[] },
): Promise<Map<V, Record<string, Check>>>;

export declare function checkPeers(label: string, peers: Record<string, Check>, sets: { valid: unknown[]; invalid: unknown[] }, skipped: string[]): string[];
