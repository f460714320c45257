import type { Container } from '../api/types.js';
import { Button } from './ui.js';

/** What a row or card can ask for. */
export type ContainerOp = 'stop' | 'restart' | 'remove' | 'logs';

/** Stop / Start-or-Restart / Remove / Logs for one container, labelled with its name for assistive tech. */
export function ContainerActions({
  c,
  busy,
  onAction,
}: {
  c: Container;
  busy: string | null;
  onAction: (c: Container, op: ContainerOp) => void;
}) {
  const running = c.state === 'running';
  return (
    <div className="row-actions">
      {running && (
        <Button
          busy={busy === `stop:${c.id}`}
          onClick={() => onAction(c, 'stop')}
          aria-label={`Stop ${c.name}`}
        >
          Stop
        </Button>
      )}
      <Button
        busy={busy === `restart:${c.id}`}
        onClick={() => onAction(c, 'restart')}
        aria-label={`${running ? 'Restart' : 'Start'} ${c.name}`}
      >
        {running ? 'Restart' : 'Start'}
      </Button>
      <Button variant="danger" onClick={() => onAction(c, 'remove')} aria-label={`Remove ${c.name}`}>
        Remove
      </Button>
      <Button variant="ghost" onClick={() => onAction(c, 'logs')} aria-label={`Logs of ${c.name}`}>
        Logs
      </Button>
    </div>
  );
}

/** Host ports as `127.0.0.1:8101→80`. */
export function portsOf(c: Container): string {
  return (
    c.ports
      .filter((p) => p.hostPort)
      .map((p) => `${p.hostIp ?? ''}:${p.hostPort}→${p.containerPort}`)
      .join(', ') || '—'
  );
}
