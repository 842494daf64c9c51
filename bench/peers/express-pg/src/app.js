import express from 'express';
import { authRoutes } from './routes/auth.js';
import { userRoutes } from './routes/users.js';
import { errorHandler, notFound } from './middleware/errorHandler.js';

export function createApp({ authService, userService, tokenService }) {
  const app = express();
  app.disable('x-powered-by');
  // ETags are set where the contract has them (responses holding one account).
  app.set('etag', false);

  app.use(express.json({ limit: '64kb' }));

  app.get('/healthz', (req, res) => {
    res.json({ status: 'ok' });
  });
  app.use('/v1/auth', authRoutes({ authService }));
  app.use('/v1/users', userRoutes({ tokenService, userService }));

  app.use(notFound);
  app.use(errorHandler);
  return app;
}
