/** A labelled <select> of devices of one kind, refreshed when devices change. */
import type { DeviceOption } from '../../call/device-list.ts';
import { bindText } from '../../i18n/bind.ts';
import type { MessageKey } from '../../i18n/translate.ts';
import { h, uniqueId } from '../common/dom-builder.ts';

export interface DeviceSelect {
  readonly root: HTMLElement;
  readonly select: HTMLSelectElement;
  setOptions(options: DeviceOption[], selected: string | null): void;
}

export function createDeviceSelect(labelKey: MessageKey, unnamedKey: MessageKey, onChange: (deviceId: string) => void): DeviceSelect {
  const id = uniqueId('device');
  const select = h('select', { id, on: { change: () => onChange(select.value) } });
  const root = h('div', { class: 'field' }, h('label', { msg: labelKey, attrs: { for: id } }), select);
  return {
    root,
    select,
    setOptions(options, selected) {
      select.replaceChildren(
        ...options.map((o, index) => {
          const option = h('option', { attrs: { value: o.deviceId } });
          if (o.label) option.textContent = o.label;
          else bindText(option, unnamedKey, { number: index + 1 });
          option.selected = o.deviceId === selected;
          return option;
        }),
      );
      select.disabled = options.length === 0;
      root.hidden = options.length === 0;
    },
  };
}
