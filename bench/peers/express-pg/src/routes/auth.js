import { Router } from 'express';
import { asyncHandler } from '../middleware/asyncHandler.js';

export function authRoutes({ authService }) {
  const router = Router();

  router.post('/register', asyncHandler(async (req, res) => {
    const user = await authService.register(req.body);
    res.status(201).set('ETag', `"${user.version}"`).json({ user });
  }));

  router.post('/login', asyncHandler(async (req, res) => {
    const pair = await authService.login(req.body);
    res.set('Cache-Control', 'no-store').json(pair);
  }));

  router.post('/refresh', asyncHandler(async (req, res) => {
    const pair = await authService.refresh(req.body);
    res.set('Cache-Control', 'no-store').json(pair);
  }));

  return router;
}
