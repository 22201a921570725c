export { logRotationComponent } from './component.js';
