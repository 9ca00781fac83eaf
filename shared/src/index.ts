export * from './errors.ts';
export * from './domain.ts';
export * from './limits.ts';
export * from './display-name.ts';
export * from './schemas.ts';
export * from './events.ts';
export * from './http.ts';
export * from './e2ee.ts';
