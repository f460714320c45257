/** The nodes feature: the engine's mode, the Swarm's nodes (drain/activate) and the join command. */
export * from './nodes.schemas.js';
export * from './nodes.service.js';
