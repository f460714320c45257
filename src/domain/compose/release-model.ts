import { type ComposeModel, isObj, servicesOf } from './compose-model.js';

/**
 * A release of a compose project runs as its own compose project (`warp-<slug>` for the first,
 * `warp-<slug>_<seq>` after it; a slug never holds `_`, so no other project can take the name) beside
 * the release it replaces. What both must share, they share by name: Compose resolved the model under
 * the base name, so its volumes are `warp-<slug>_<key>` and keep that name in every release (set
 * explicitly where the resolved model has none, as v1's does). Networks are the release's own: a
 * network named after the base project is renamed `<release>_<key>`, so the services of one release
 * never answer to the other's DNS names. External ones and names the user wrote stay as they are.
 * The first release (run under the base name) is left as it is: Compose's names are the shared ones.
 */
export function releaseModel(
  model: ComposeModel,
  o: { baseProject: string; releaseProject: string; composeMajor: 1 | 2 },
): ComposeModel {
  const copy = structuredClone(model) as Record<string, unknown>;
  // The first release runs under the base name: Compose's own names are already the shared ones.
  if (o.releaseProject === o.baseProject) return copy;
  if (isObj(copy.volumes)) {
    for (const [key, def] of Object.entries(copy.volumes)) {
      const v = isObj(def) ? { ...def } : {};
      if (v.external) continue;
      if (typeof v.name !== 'string' || v.name === '') v.name = `${o.baseProject}_${key}`;
      copy.volumes[key] = v;
    }
  }
  if (isObj(copy.networks)) {
    for (const [key, def] of Object.entries(copy.networks)) {
      if (!isObj(def) || def.external || def.name !== `${o.baseProject}_${key}`) continue;
      copy.networks[key] = { ...def, name: `${o.releaseProject}_${key}` };
    }
  }
  if (o.composeMajor === 2) copy.name = o.releaseProject;
  else delete copy.name;
  return copy;
}

/** The compose project name of release `seq`: the base name for the first, `<base>_<seq>` after it. */
export const releaseProjectName = (baseProject: string, seq: number): string =>
  seq <= 1 ? baseProject : `${baseProject}_${seq}`;

/**
 * A model that runs exactly the images a release ran: every service's `image` is the reference that
 * holds that release's image (the panel tags each one), `build` is dropped (nothing is rebuilt: a
 * rebuild would not give the same image) and nothing is pulled (v2 `pull_policy: never`).
 */
export function pinnedModel(
  model: ComposeModel,
  images: Record<string, string>,
  composeMajor: 1 | 2,
): ComposeModel {
  const copy = structuredClone(model) as Record<string, unknown>;
  const services = servicesOf(copy);
  for (const [name, def] of Object.entries(services)) {
    if (!isObj(def) || images[name] === undefined) continue;
    const { build: _build, pull_policy: _pull, ...rest } = def;
    services[name] = {
      ...rest,
      image: images[name],
      ...(composeMajor === 2 ? { pull_policy: 'never' } : {}),
    };
  }
  return copy;
}
