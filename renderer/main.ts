/** Renderer entry: Vue app with Pinia and vue-i18n; the host connection starts in App.vue. */
import './csp-safe-zod.js'; // must stay first
import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { createAppI18n, preferredLocale } from './i18n/index.js';
import { installDesktopConsoles } from './services/desktop.js';
import { browserEnvironment, uiEnvironmentKey } from './services/environment.js';
import { connectorKey, windowConnector } from './services/transport.js';
import './styles/base.css';

const environment = browserEnvironment(window);
const app = createApp(App);
app.provide(uiEnvironmentKey, environment);
app.provide(connectorKey, windowConnector(window));
installDesktopConsoles(window); // desktop app: consoles over MessagePorts from the VM processes
app.use(createPinia());
// App.vue switches to the stored language at once; start from the OS's to avoid a flash of English.
app.use(createAppI18n(preferredLocale(environment.languages())));
app.mount('#app');
