import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A round-robin HTTP proxy: request N goes to target N mod the number of targets. With two Conveyor
 * servers behind it, every test that talks HTTP exercises the several-process paths (issue #9).
 */
export async function startRoundRobinProxy(port: number, targets: string[]): Promise<{ close(): Promise<void> }> {
  const agent = new http.Agent({ keepAlive: true });
  let next = 0;
  // Larger than any server's limit, so the servers, not the proxy, answer oversized requests.
  const server = http.createServer({ maxHeaderSize: 1024 * 1024 }, (incoming, outgoing) => {
    const target = new URL(targets[next++ % targets.length]);
    const forwarded = http.request(
      { host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers: incoming.headers, agent },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
        answer.pipe(outgoing);
      },
    );
    forwarded.on('error', () => {
      if (!outgoing.headersSent) outgoing.writeHead(502);
      outgoing.end();
    });
    outgoing.on('close', () => forwarded.destroy());
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  void (server.address() as AddressInfo);
  return {
    close: () =>
      new Promise((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
