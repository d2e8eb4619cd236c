/**
 * The words main shows itself (the native menu, the quit question), in the UI's two languages. The
 * page has its own catalogue (renderer/i18n); these follow the OS language (app.getLocale()), and
 * the terms match the page's. Menu roles (Undo, Copy, Zoom...) are translated by Electron.
 */
export interface DesktopStrings {
  readonly file: string;
  readonly edit: string;
  readonly vm: string;
  readonly view: string;
  readonly newVm: string;
  readonly powerOn: string;
  readonly shutDown: string;
  readonly ctrlAltDel: string;
  readonly keysNotDelivered: string;
  readonly powerOff: string;
  readonly pause: string;
  readonly resume: string;
  readonly reset: string;
  readonly preferences: string;
  readonly settingsMac: string;
  readonly quit: string;
  readonly quitTitle: string;
  readonly quitOne: (name: string) => string;
  readonly quitMany: (count: number) => string;
  readonly quitDetail: string;
  /** [power off and quit, cancel] */
  readonly quitButtons: readonly [string, string];
}

const EN: DesktopStrings = {
  file: 'File',
  edit: 'Edit',
  vm: 'VM',
  view: 'View',
  newVm: 'New VM…',
  powerOn: 'Power On',
  shutDown: 'Shut Down Guest',
  ctrlAltDel: 'Send Ctrl+Alt+Del',
  keysNotDelivered: 'The guest has no keyboard driver running (firmware or a bare-metal program): Ctrl+Alt+Del was not delivered.',
  powerOff: 'Power Off',
  pause: 'Pause',
  resume: 'Resume',
  reset: 'Reset',
  preferences: 'Preferences…',
  settingsMac: 'Settings…',
  quit: 'Quit RiscStation',
  quitTitle: 'Quit RiscStation',
  quitOne: (name) => `The VM '${name}' is running.`,
  quitMany: (count) => `${count} VMs are running.`,
  quitDetail:
    'Quitting powers them off: each guest is asked to shut down and is stopped after a few seconds if it does not. ' +
    'Unsaved work inside the guests may be lost.',
  quitButtons: ['Power off VMs and quit', 'Cancel'],
};

const JA: DesktopStrings = {
  file: 'ファイル',
  edit: '編集',
  vm: 'VM',
  view: '表示',
  newVm: '新規 VM…',
  powerOn: 'パワーオン',
  shutDown: 'ゲストをシャットダウン',
  ctrlAltDel: 'Ctrl+Alt+Del を送信',
  keysNotDelivered: 'ゲストでキーボード ドライバーが動いていません (ファームウェアまたはベアメタル プログラム)。Ctrl+Alt+Del は届きませんでした。',
  powerOff: 'パワーオフ',
  pause: '一時停止',
  resume: '再開',
  reset: 'リセット',
  preferences: '環境設定…',
  settingsMac: '環境設定…',
  quit: 'RiscStation を終了',
  quitTitle: 'RiscStation の終了',
  quitOne: (name) => `VM「${name}」が実行中です。`,
  quitMany: (count) => `${count} 台の VM が実行中です。`,
  quitDetail:
    '終了すると VM をパワーオフします。各ゲストにシャットダウンを求め、数秒で終わらなければ停止します。' +
    'ゲスト内の保存していない作業は失われることがあります。',
  quitButtons: ['VM をパワーオフして終了', 'キャンセル'],
};

/** The strings for a locale like 'ja', 'ja-JP' or 'en-US' (English unless it is Japanese). */
export function desktopStrings(locale: string): DesktopStrings {
  return locale.toLowerCase().startsWith('ja') ? JA : EN;
}
