export {
  redisComponent,
  REDIS_CONF_PATH,
  REDIS_ENDPOINT,
  REDIS_PASSWORD_SECRET,
  renderRedis,
  renderRedisConf,
} from './redis-conf.js';
