export {
  LOGIN_DEFS_PATH,
  loginDefsComponent,
  renderLoginDefs,
  renderLoginDefsFiles,
} from './login-defs.js';
