/**
 * Fake inference servers in a child process, driven over IPC (used by the edge router benchmark): backends of
 * their own, so the latency the router measures is not the load generator's event-loop lag, as it would be with
 * servers in the benchmark's own process.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { FakeInferenceServer, type BackendBehaviour, type FakeBackendOptions } from './edge-worker-harness';

type Command =
  | { cmd: 'start'; specs: FakeBackendOptions[] }
  | { cmd: 'behaviour'; name: string; behaviour: BackendBehaviour }
  | { cmd: 'latency'; name: string; latencyMs: number }
  | { cmd: 'kill'; name: string }
  | { cmd: 'restart'; name: string };

/** The parent's handle on the child's servers. */
export class RemoteBackends {
  private nextId = 1;
  private readonly waiting = new Map<number, (reply: unknown) => void>();

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (message: { id: number; reply: unknown }) => {
      this.waiting.get(message.id)?.(message.reply);
      this.waiting.delete(message.id);
    });
  }

  /** Starts the servers in a child process; resolves with each one's origin and readiness path. */
  static async start(
    specs: FakeBackendOptions[],
  ): Promise<{ backends: RemoteBackends; servers: Record<string, { url: string; healthPath: string }> }> {
    const child = fork(join(__dirname, 'edge-worker-backends.js'), [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const backends = new RemoteBackends(child);
    const servers = (await backends.send({ cmd: 'start', specs })) as Record<
      string,
      { url: string; healthPath: string }
    >;
    return { backends, servers };
  }

  behaviour(name: string, behaviour: BackendBehaviour): Promise<unknown> {
    return this.send({ cmd: 'behaviour', name, behaviour });
  }

  latency(name: string, latencyMs: number): Promise<unknown> {
    return this.send({ cmd: 'latency', name, latencyMs });
  }

  kill(name: string): Promise<unknown> {
    return this.send({ cmd: 'kill', name });
  }

  restart(name: string): Promise<unknown> {
    return this.send({ cmd: 'restart', name });
  }

  stop(): void {
    this.child.kill();
  }

  private send(command: Command): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.child.send({ id, command });
    });
  }
}

// Child side: runs when this file is the forked process.
if (require.main === module && process.send) {
  const servers = new Map<string, FakeInferenceServer>();
  process.on('message', (message: { id: number; command: Command }) => {
    void handle(message.command).then((reply) => process.send!({ id: message.id, reply }));
  });
  async function handle(command: Command): Promise<unknown> {
    switch (command.cmd) {
      case 'start': {
        const out: Record<string, { url: string; healthPath: string }> = {};
        for (const spec of command.specs) {
          const server = await new FakeInferenceServer(spec).start();
          servers.set(spec.name, server);
          out[spec.name] = { url: server.url, healthPath: server.healthPath };
        }
        return out;
      }
      case 'behaviour':
        servers.get(command.name)!.behaviour = command.behaviour;
        return true;
      case 'latency':
        servers.get(command.name)!.latencyMs = command.latencyMs;
        return true;
      case 'kill':
        await servers.get(command.name)!.kill();
        return true;
      case 'restart':
        await servers.get(command.name)!.start();
        return true;
    }
  }
  process.on('disconnect', () => process.exit(0));
}
