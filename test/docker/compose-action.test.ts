// The bundled action in compose mode (see compose-cli.test.ts for why it is a file of its own).
import './action-compose.suite.js';
