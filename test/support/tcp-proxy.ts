import net from 'node:net';

/** Forwards TCP to PostgreSQL; `stop` drops every connection and refuses new ones until `start`. */
export class TcpProxy {
  port = 0;
  #server: net.Server | null = null;
  #sockets = new Set<net.Socket>();
  constructor(
    private host: string,
    private targetPort: number,
  ) {}

  start(port = this.port): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.targetPort, this.host);
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on('close', () => this.#sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    this.#server = server;
    return new Promise((resolve) =>
      server.listen(port, '127.0.0.1', () => {
        this.port = (server.address() as net.AddressInfo).port;
        resolve();
      }),
    );
  }

  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    for (const s of this.#sockets) s.destroy();
    await new Promise((r) => server?.close(r));
  }
}

/** A started proxy in front of the database at `databaseUrl`, and that database's URL through it. */
export async function proxyTo(databaseUrl: string): Promise<{ proxy: TcpProxy; url: URL }> {
  const target = new URL(databaseUrl);
  const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
  await proxy.start();
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(proxy.port);
  return { proxy, url };
}
