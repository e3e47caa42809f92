export { backward, grad } from './backward';
