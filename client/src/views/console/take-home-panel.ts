/**
 * "Resources to take home" in a live session: up to five titled https links (a book, a video, an
 * exercise) the therapist adds or removes until the end. Checked here with the same rules each
 * client applies after opening (`take-home-resources.ts`), problems said inline next to their
 * field; every change hands the whole list to `onChange`, which seals it to everyone in the call.
 */
import { TAKE_HOME_RESOURCES_MAX, checkResource, type ResourceProblem, type TakeHomeResource } from '@alcove/shared';
import { bindAttr, bindText, clearText } from '../../i18n/bind.ts';
import type { MessageKey } from '../../i18n/translate.ts';
import { h } from '../common/dom-builder.ts';

const PROBLEM_TEXT: Readonly<Record<ResourceProblem, MessageKey>> = {
  'title-missing': 'resources.problem.titleMissing',
  'title-too-long': 'resources.problem.titleTooLong',
  'url-invalid': 'resources.problem.urlInvalid',
  'url-not-https': 'resources.problem.urlNotHttps',
  'url-has-credentials': 'resources.problem.urlCredentials',
  'url-too-long': 'resources.problem.urlTooLong',
  'too-many': 'resources.problem.tooMany',
};

export interface TakeHomePanel {
  readonly root: HTMLElement;
  list(): TakeHomeResource[];
  /** The session ended: the list can no longer change. */
  ended(): void;
}

function field(id: string, label: MessageKey, attrs: Record<string, string>) {
  const input = h('input', { id, attrs: { type: 'text', autocomplete: 'off', 'aria-describedby': `${id}-problem`, ...attrs } });
  const problem = h('p', { id: `${id}-problem`, class: 'field-error', attrs: { hidden: true } });
  const say = (key: MessageKey | null) => {
    problem.hidden = key === null;
    if (key) bindText(problem, key);
    else clearText(problem);
    if (key) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  };
  return { input, say, root: h('div', { class: 'field' }, h('label', { msg: label, attrs: { for: id } }), input, problem) };
}

export function createTakeHomePanel(onChange: (list: TakeHomeResource[]) => void): TakeHomePanel {
  let resources: TakeHomeResource[] = [];
  let isEnded = false;
  const title = field('resource-title', 'resources.titleLabel', { maxlength: '200' });
  const link = field('resource-url', 'resources.urlLabel', { inputmode: 'url', placeholder: 'https://', spellcheck: 'false' });
  const addButton = h('button', { class: 'button', msg: 'resources.add', attrs: { type: 'submit', 'data-action': 'add-resource' } });
  const items = h('ul', { class: 'resource-items', attrs: { 'aria-labelledby': 'resources-title' } });
  const count = h('p', { class: 'hint', attrs: { id: 'resources-count' } });
  const status = h('p', { class: 'hint', attrs: { role: 'status' } });
  const form = h('form', { class: 'resource-form', attrs: { novalidate: true } }, title.root, link.root, addButton);

  function render() {
    items.replaceChildren(
      ...resources.map((r, i) => {
        const remove = h('button', { class: 'button small', msg: 'resources.remove', attrs: { type: 'button', 'data-action': 'remove-resource' } });
        bindAttr(remove, 'aria-label', 'resources.removeNamed', { title: r.title });
        remove.addEventListener('click', () => {
          resources = resources.filter((_, j) => j !== i);
          bindText(status, 'resources.removed', { title: r.title });
          changed();
          title.input.focus();
        });
        return h('li', { class: 'resource-item' }, h('span', { class: 'resource-title' }, r.title), h('span', { class: 'resource-url' }, r.url), isEnded ? null : remove);
      }),
    );
    items.hidden = resources.length === 0;
    bindText(count, resources.length === 0 ? 'resources.none' : 'resources.count', { count: resources.length, max: TAKE_HOME_RESOURCES_MAX });
    form.hidden = isEnded;
    addButton.disabled = resources.length >= TAKE_HOME_RESOURCES_MAX;
  }

  function changed() {
    render();
    onChange(resources);
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    title.say(null);
    link.say(null);
    if (resources.length >= TAKE_HOME_RESOURCES_MAX) return bindText(status, 'resources.problem.tooMany');
    const checked = checkResource(title.input.value, link.input.value);
    if (!checked.ok) {
      const target = checked.problem.startsWith('title') ? title : link;
      target.say(PROBLEM_TEXT[checked.problem]);
      target.input.focus();
      return;
    }
    resources = [...resources, checked.resource];
    title.input.value = '';
    link.input.value = '';
    bindText(status, 'resources.added', { title: checked.resource.title });
    changed();
    title.input.focus();
  });

  const root = h(
    'section',
    { class: 'resources-section', attrs: { 'aria-labelledby': 'resources-title' } },
    h('h3', { id: 'resources-title', msg: 'resources.heading' }),
    h('p', { class: 'hint', msg: 'resources.hint' }),
    count,
    items,
    form,
    status,
  );
  render();
  return {
    root,
    list: () => resources,
    ended() {
      isEnded = true;
      render();
    },
  };
}
