import { type KeyboardEvent, useState } from 'react';
import { useTitle } from '../lib/use-title.js';
import { FolderTab, ForwardForm, QuickServiceForm, RepoForm, TemplateForm } from './project-forms.js';

const TABS = [
  ['quick', 'Quick service', QuickServiceForm],
  ['template', 'From template', TemplateForm],
  ['repo', 'From repository', RepoForm],
  ['folder', 'From host folder', FolderTab],
  ['forward', 'Forward a port', ForwardForm],
] as const;

/** New project: five ways in, as keyboard-navigable tabs. */
export default function NewProject() {
  useTitle('New project');
  const [tab, setTab] = useState(0);
  const onKey = (e: KeyboardEvent) => {
    const delta = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!delta) return;
    e.preventDefault();
    const next = (tab + delta + TABS.length) % TABS.length;
    setTab(next);
    document.getElementById(`tab-${TABS[next]?.[0]}`)?.focus();
  };
  const Form = TABS[tab]?.[2] ?? QuickServiceForm;
  return (
    <div className="page">
      <h1>New project</h1>
      <div role="tablist" aria-label="Project source" className="tabs" onKeyDown={onKey}>
        {TABS.map(([key, label], i) => (
          <button
            key={key}
            id={`tab-${key}`}
            type="button"
            role="tab"
            aria-selected={i === tab}
            aria-controls={`panel-${key}`}
            tabIndex={i === tab ? 0 : -1}
            onClick={() => setTab(i)}
          >
            {label}
          </button>
        ))}
      </div>
      <section
        role="tabpanel"
        id={`panel-${TABS[tab]?.[0]}`}
        aria-labelledby={`tab-${TABS[tab]?.[0]}`}
        className="card"
      >
        <Form />
      </section>
    </div>
  );
}
