/**
 * A real Mosquitto broker for the end-to-end tests (Debian's `mosquitto`): a WebSockets listener for the
 * app and a TCP listener for the test's own subscriber, both on localhost, with a password file and
 * persistence in a temporary folder (so a persistent subscriber's queue survives a broker restart).
 * Ports: PATCHFLOW_MQTT_WS_PORT (9883) and PATCHFLOW_MQTT_PORT (18883).
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const MOSQUITTO = process.env.MOSQUITTO_PATH ?? '/usr/sbin/mosquitto';
const PASSWD = process.env.MOSQUITTO_PASSWD_PATH ?? '/usr/bin/mosquitto_passwd';
export const MQTT_WS_PORT = Number(process.env.PATCHFLOW_MQTT_WS_PORT ?? 9883);
export const MQTT_PORT = Number(process.env.PATCHFLOW_MQTT_PORT ?? 18883);

/** Why the broker cannot run here, or null. */
export function mosquittoMissing(): string | null {
  if (!existsSync(MOSQUITTO) || !existsSync(PASSWD)) return `${MOSQUITTO} not found: apt-get install mosquitto (or set MOSQUITTO_PATH)`;
  return null;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

async function waitForPort(port: number, open: boolean): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await portOpen(port)) === open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`port ${port} did not ${open ? 'open' : 'close'}`);
}

export class Mosquitto {
  readonly user = 'line-tablet';
  /** Random per run: the tests check it never shows up in logs or exports. */
  readonly password = `pw-${Math.random().toString(36).slice(2)}`;
  private readonly dir = mkdtempSync(path.join(os.tmpdir(), 'pf-mosquitto-'));
  private readonly config = path.join(this.dir, 'mosquitto.conf');
  private process: ChildProcess | null = null;
  log = '';

  constructor() {
    const passwords = path.join(this.dir, 'passwd');
    writeFileSync(passwords, '');
    execFileSync(PASSWD, ['-b', passwords, this.user, this.password]);
    writeFileSync(
      this.config,
      [
        // run as root (CI), it would otherwise drop to the 'mosquitto' user, who cannot read this folder
        `user ${os.userInfo().username}`,
        'per_listener_settings false',
        'allow_anonymous false',
        `password_file ${passwords}`,
        'persistence true',
        `persistence_location ${this.dir}/`,
        `listener ${MQTT_PORT} 127.0.0.1`,
        'protocol mqtt',
        `listener ${MQTT_WS_PORT} 127.0.0.1`,
        'protocol websockets',
        'log_dest stderr',
        'log_type error',
        'log_type warning',
        'log_type notice',
        '',
      ].join('\n'),
    );
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${MQTT_WS_PORT}`;
  }

  get tcpUrl(): string {
    return `mqtt://127.0.0.1:${MQTT_PORT}`;
  }

  async start(): Promise<void> {
    if (await portOpen(MQTT_PORT)) throw new Error(`port ${MQTT_PORT} is taken: set PATCHFLOW_MQTT_PORT / PATCHFLOW_MQTT_WS_PORT`);
    const child = spawn(MOSQUITTO, ['-c', this.config], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', (d: Buffer) => (this.log += d.toString()));
    this.process = child;
    await Promise.all([waitForPort(MQTT_PORT, true), waitForPort(MQTT_WS_PORT, true)]).catch((e: Error) => {
      throw new Error(`${e.message}; mosquitto said: ${this.log}`);
    });
  }

  /** Stops the broker (it saves its sessions first) and waits until its ports are closed. */
  async stop(): Promise<void> {
    const child = this.process;
    if (!child) return;
    this.process = null;
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await waitForPort(MQTT_PORT, false);
  }
}
