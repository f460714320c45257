// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderWithQuery, stubFetch } from '../test-utils.js';
import { FolderForm, QuickServiceForm } from './project-forms.js';

const settings = { status: 200, body: { baseDomain: 'example.com' } };
const conflict = {
  status: 409,
  body: { error: { code: 'CONFLICT', message: 'my-app.example.com is already routed', requestId: 'x' } },
};

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('QuickServiceForm', () => {
  it('previews <sub>.<baseDomain> live and blocks an invalid DNS label before calling the API', async () => {
    const calls = stubFetch({
      'GET /api/v1/settings': settings,
      'POST /api/v1/projects/quick-service': conflict,
    });
    const posts = () => calls.filter((c) => c.method === 'POST');
    renderWithQuery(<QuickServiceForm />);
    fireEvent.change(screen.getByLabelText('Image'), { target: { value: 'nginx' } });
    const sub = screen.getByLabelText('Subdomain');
    fireEvent.change(sub, { target: { value: 'My_App' } });
    await waitFor(() =>
      expect(screen.getByTestId('hostname-preview').textContent).toBe('My_App.example.com'),
    );
    expect(screen.getByRole('alert').textContent).toMatch(/lower-case/);
    expect(sub.getAttribute('aria-invalid')).toBe('true');
    fireEvent.click(screen.getByRole('button', { name: 'Deploy' }));

    // A POST is sent a few ticks after the click, so "none yet" proves nothing on its own. Fix the label and
    // submit again in the same harness: once that POST has arrived (and its answer rendered), the first
    // submission has had all the time it needed, and it must not have sent anything.
    fireEvent.change(sub, { target: { value: 'my-app' } });
    fireEvent.click(screen.getByRole('button', { name: 'Deploy' }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toMatch(/already routed/));
    expect(posts().map((c) => c.body)).toEqual([{ image: 'nginx', subdomain: 'my-app', containerPort: 80 }]);
  });

  it('shows the API validation details next to their fields and sends X-Warp-Request', async () => {
    const calls = stubFetch({
      'GET /api/v1/settings': settings,
      'POST /api/v1/projects/quick-service': {
        status: 400,
        body: {
          error: {
            code: 'VALIDATION_FAILED',
            message: 'request is invalid',
            details: [{ path: 'image', message: 'expected an image reference' }],
            requestId: 'x',
          },
        },
      },
    });
    renderWithQuery(<QuickServiceForm />);
    fireEvent.change(screen.getByLabelText('Image'), { target: { value: 'Bad Image' } });
    fireEvent.change(screen.getByLabelText('Subdomain'), { target: { value: 'web' } });
    fireEvent.click(screen.getByRole('button', { name: 'Deploy' }));
    const image = screen.getByLabelText('Image');
    await waitFor(() => expect(image.getAttribute('aria-invalid')).toBe('true'));
    const describedBy = image.getAttribute('aria-describedby') ?? '';
    const errorId = describedBy.split(' ').find((id) => id.endsWith('-err')) ?? '';
    expect(document.getElementById(errorId)?.textContent).toBe('expected an image reference');
    const post = calls.find((c) => c.method === 'POST');
    expect(post?.headers['x-warp-request']).toBe('1');
    expect(post?.body).toEqual({ image: 'Bad Image', subdomain: 'web', containerPort: 80 });
  });
});

describe('FolderForm preview', () => {
  it('asks for the plan (dryRun) and shows service, ports, warnings and the model before deploying', async () => {
    const plan = {
      service: 'web',
      containerPort: 80,
      hostPort: 8100,
      composeProject: 'warp-shop',
      model: { name: 'warp-shop', services: { web: { image: 'nginx' } } },
      warnings: ['db: 5432/tcp binds 127.0.0.1 instead of all interfaces'],
    };
    const calls = stubFetch({
      'GET /api/v1/settings': { status: 200, body: { baseDomain: 'example.com', reposRoot: '/srv/repos' } },
      'GET /api/v1/host/repos': {
        status: 200,
        body: {
          items: [{ name: 'shop', path: '/srv/repos/shop', status: 'not-deployed', services: ['web'] }],
        },
      },
      'POST /api/v1/projects/deploy-existing': { status: 200, body: { plan } },
    });
    renderWithQuery(<FolderForm />);
    fireEvent.change(await screen.findByLabelText('Subdomain'), { target: { value: 'shop' } });
    fireEvent.click(screen.getByRole('button', { name: 'Preview' }));
    await screen.findByText('127.0.0.1:8100 → container port 80/tcp');
    expect(screen.getByText(plan.warnings[0]!)).toBeTruthy();
    expect(document.querySelector('pre.plan-model')?.textContent).toContain('"warp-shop"');
    const post = calls.find((c) => c.method === 'POST');
    expect(post?.body).toEqual({ path: 'shop', subdomain: 'shop', dryRun: true });
  });
});
