/**
 * English UI text. ja.ts has exactly the same keys (tests/unit/renderer/i18n/messages.test.ts).
 * Placeholders use vue-i18n's named syntax: {count}.
 */
const en = {
  app: {
    name: 'RiscStation',
    tagline: 'RISC-V virtual machine workstation',
    skipToContent: 'Skip to main content',
  },
  toolbar: {
    label: 'Main toolbar',
    newVm: 'New VM',
    newVmHint: 'Create a new virtual machine',
    powerOn: 'Power On',
    pause: 'Pause',
    resume: 'Resume',
    powerOff: 'Power Off',
    reset: 'Reset',
    powerGroup: 'Power',
    needsSelection: 'Select a virtual machine first',
    settings: 'Preferences',
    toggleSidebar: 'Show or hide the library',
  },
  library: {
    title: 'Library',
    label: 'Virtual machine library',
    filter: 'Filter virtual machines',
    filterPlaceholder: 'Type to filter',
    home: 'Home',
    myComputer: 'My Computer',
    emptyTitle: 'No virtual machines yet',
    emptyBody: 'Create a virtual machine to run RISC-V firmware, bootloaders and operating systems.',
    noMatch: 'No virtual machine matches “{filter}”.',
    count: 'No virtual machines | 1 virtual machine | {count} virtual machines',
    loading: 'Loading virtual machines…',
    loadFailed: 'Could not load the library: {message}',
    harts: '1 hart | {count} harts',
  },
  vmState: {
    created: 'Powered off',
    stopped: 'Powered off',
    running: 'Running',
    paused: 'Paused',
    crashed: 'Crashed',
  },
  home: {
    title: 'Home',
    welcome: 'Welcome to RiscStation',
    intro: 'Build and run 64-bit RISC-V computers (QEMU virt board, RV64GC) on this machine. Guests run unmodified: OpenSBI, U-Boot and Linux boot as they do on real hardware.',
    quickActions: 'Get started',
    newVmTitle: 'Create a New Virtual Machine',
    newVmBody: 'Choose a template, then the harts, memory, firmware and disks.',
    preferencesTitle: 'Preferences',
    preferencesBody: 'Language, theme and where your virtual machines are kept.',
    hostTitle: 'This Host',
    hostBody: 'Processors, memory and the version of the host serving this window.',
    hostCpus: 'Logical processors',
    hostMemory: 'Memory',
    hostPlatform: 'Platform',
    hostVersion: 'Version',
    hostNode: 'Runtime',
    hostDataDir: 'Library folder',
    selectedVm: 'Selected virtual machine',
  },
  vm: {
    summary: 'Summary',
    state: 'State',
    harts: 'Harts',
    memory: 'Memory',
    notConnected: 'Not connected to the host',
  },
  newVm: {
    title: 'New Virtual Machine',
    unavailable: 'This host cannot create virtual machines yet. The New VM wizard arrives with the hypervisor.',
  },
  status: {
    label: 'Status',
    connection: 'Connection',
    connecting: 'Connecting…',
    connected: 'Connected',
    disconnected: 'Disconnected',
    failed: 'Connection failed',
    via: {
      websocket: 'over WebSocket',
      preload: 'desktop app',
    },
    cpus: '1 CPU | {count} CPUs',
    memory: '{size} memory',
    version: 'Version {version}',
    host: 'Host',
    noHost: 'No host information',
    reconnect: 'Reconnect',
  },
  settings: {
    title: 'Preferences',
    language: 'Language',
    languageHint: 'The language of menus, dialogs and messages.',
    languageSystem: 'System default ({language})',
    theme: 'Theme',
    themeHint: 'Follow the system, or always light or dark.',
    themeSystem: 'System default',
    themeLight: 'Light',
    themeDark: 'Dark',
    close: 'Close',
    done: 'Done',
  },
  errors: {
    noToken: 'The page address has no access token. Open the address printed by “riscstation serve”.',
    refused: 'Could not reach the host, or it refused the access token. Check that “riscstation serve” is running and open the address it printed.',
    lost: 'The connection to the host was lost.',
    generic: '{message}',
  },
  language: {
    en: 'English',
    ja: '日本語',
  },
} as const;

export default en;

/** The shape every locale's messages must have (same keys, string leaves). */
export type MessageSchema = DeepStrings<typeof en>;

type DeepStrings<T> = { [K in keyof T]: T[K] extends string ? string : DeepStrings<T[K]> };
