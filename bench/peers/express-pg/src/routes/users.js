import { Router } from 'express';
import { authenticate } from '../middleware/authenticate.js';

export function userRoutes({ tokenService, userService }) {
  const router = Router();

  router.get('/me', authenticate({ tokenService, userService }), (req, res) => {
    res.set('ETag', `"${req.user.version}"`).json({ user: req.user });
  });

  return router;
}
