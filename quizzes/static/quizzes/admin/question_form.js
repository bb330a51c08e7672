/* The question form's choices (CSP forbids inline script, hence this file).
 *
 * - Each row shows its place, 1 to n down the page, and posts it as "position";
 *   the server turns the places into the choices' order. Nobody types an order.
 * - "Move up" / "Move down" buttons reorder the rows (keyboard: Tab, Enter/Space).
 * - On a new question, changing the kind sets the rows to suit it: four blank rows
 *   for single/multiple, "True" and "False" for true/false. A row with typed text
 *   or rationale is never removed or overwritten.
 *
 * Rows are added and removed by Django's inlines.js. Its removal renumbers the
 * rows' field names in page order; a stored choice must keep a name below
 * INITIAL_FORMS, so after a removal the names are renumbered again here.
 */
'use strict';
{
    const PREFIX = 'choices';
    const PLACE_PATTERN = new RegExp('(' + PREFIX + '-(\\d+|__prefix__))');

    const group = () => document.getElementById(PREFIX + '-group');
    const field = (row, name) => row.querySelector('[name$="-' + name + '"]');

    // The rows of the formset, in page order, without the hidden template.
    const formRows = () => Array.from(
        group().querySelectorAll('tbody tr.form-row:not(.empty-form)')
    );
    const isStored = (row) => {
        const id = field(row, 'id');
        return Boolean(id && id.value);
    };
    const isDeleted = (row) => {
        const box = field(row, 'DELETE');
        return Boolean(box && box.checked);
    };

    function moveButton(step, text) {
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'choice-move';
        button.dataset.step = String(step);
        button.textContent = text;
        return button;
    }

    // The position input becomes hidden, shown as a number with two buttons.
    function enhance(row) {
        const input = row.querySelector('input.choice-position');
        if (!input || input.type === 'hidden') {
            return;
        }
        input.type = 'hidden';
        const place = document.createElement('span');
        place.className = 'choice-place';
        const controls = document.createElement('span');
        controls.className = 'choice-moves';
        controls.append(moveButton(-1, '↑'), moveButton(1, '↓'));
        input.after(place, controls);
    }

    function renumber() {
        let place = 0;
        const rows = formRows();
        const total = rows.filter((row) => !isDeleted(row)).length;
        for (const row of rows) {
            const input = row.querySelector('input.choice-position');
            if (!input) {
                continue;
            }
            const deleted = isDeleted(row);
            if (!deleted) {
                place += 1;
            }
            input.value = deleted ? '' : String(place);
            const shown = row.querySelector('.choice-place');
            if (shown) {
                shown.textContent = deleted ? '–' : String(place);
            }
            // The table's cells have no labels of their own: name each field.
            const labels = {
                text: 'text', is_correct: 'correct', rationale: 'rationale',
            };
            for (const [name, label] of Object.entries(labels)) {
                const control = field(row, name);
                if (control && !deleted) {
                    control.setAttribute('aria-label', 'Choice ' + place + ' ' + label);
                }
            }
            for (const button of row.querySelectorAll('.choice-move')) {
                const up = button.dataset.step === '-1';
                button.setAttribute(
                    'aria-label',
                    'Move choice ' + place + ' of ' + total + (up ? ' up' : ' down')
                );
                button.title = up ? 'Move up' : 'Move down';
            }
        }
    }

    // Stored choices first (names 0..k-1, as the server expects), then new rows.
    function renameForms() {
        const rows = formRows();
        const ordered = rows.filter(isStored).concat(rows.filter((r) => !isStored(r)));
        ordered.forEach((row, index) => {
            const replacement = PREFIX + '-' + index;
            for (const el of [row, ...row.querySelectorAll('*')]) {
                for (const attr of ['id', 'name', 'for']) {
                    const value = el.getAttribute(attr);
                    if (value && PLACE_PATTERN.test(value)) {
                        const renamed = value.replace(PLACE_PATTERN, replacement);
                        el.setAttribute(attr, renamed);
                    }
                }
            }
        });
    }

    function announce(text) {
        const live = group().querySelector('.choice-announcer');
        if (live) {
            live.textContent = text;
        }
    }

    // A row together with the row of its own errors that Django puts above it.
    function withErrors(row) {
        const before = row.previousElementSibling;
        const errors = before && before.classList.contains('row-form-errors');
        return errors ? [before, row] : [row];
    }

    function move(button) {
        const row = button.closest('tr');
        const rows = formRows();
        const index = rows.indexOf(row);
        const step = Number(button.dataset.step);
        const other = rows[index + step];
        if (!other) {
            const end = step < 0 ? 'first.' : 'last.';
            announce('Choice ' + (index + 1) + ' is already ' + end);
            return;
        }
        if (step < 0) {
            withErrors(other)[0].before(...withErrors(row));
        } else {
            other.after(...withErrors(row));
        }
        renumber();
        button.focus();
        const place = row.querySelector('.choice-place').textContent;
        announce('Choice moved to place ' + place + '.');
    }

    // On a new question: the rows follow the kind, keeping what was typed.
    function followKind(kindSelect) {
        const starting = JSON.parse(kindSelect.dataset.startingChoices);
        const wanted = starting[kindSelect.value] || starting.single;
        const prefilled = new Set(Object.values(starting).flat().filter(Boolean));
        const addLink = group().querySelector('tr.add-row a');
        const newRows = () => formRows().filter((row) => !isStored(row));
        const blank = (row) => {
            const text = field(row, 'text').value.trim();
            const rationale = field(row, 'rationale').value.trim();
            return (text === '' || prefilled.has(text)) && !rationale;
        };
        for (const row of newRows()) {
            const text = field(row, 'text');
            if (blank(row) && text.value.trim()) {
                text.value = '';
                field(row, 'is_correct').checked = false;
            }
        }
        while (addLink && newRows().length < wanted.length) {
            addLink.click();
        }
        for (const row of newRows().reverse()) {
            const remove = row.querySelector('a.inline-deletelink');
            if (newRows().length > wanted.length && blank(row) && remove) {
                remove.click();
            }
        }
        newRows().forEach((row, index) => {
            const text = field(row, 'text');
            if (!text.value.trim() && wanted[index]) {
                text.value = wanted[index];
            }
        });
        renumber();
    }

    function start() {
        const inline = group();
        if (!inline) {
            return;
        }
        inline.querySelectorAll('tbody tr.form-row').forEach(enhance);
        const live = document.createElement('p');
        live.className = 'choice-announcer visually-hidden';
        live.setAttribute('aria-live', 'polite');
        inline.append(live);
        renumber();

        inline.addEventListener('click', (event) => {
            const button = event.target.closest('button.choice-move');
            if (button) {
                event.preventDefault();
                move(button);
            }
        });
        inline.addEventListener('change', (event) => {
            if (event.target.name && event.target.name.endsWith('-DELETE')) {
                renumber();
            }
        });
        document.addEventListener('formset:added', (event) => {
            if (event.detail.formsetName === PREFIX) {
                enhance(event.target);
                renumber();
            }
        });
        document.addEventListener('formset:removed', (event) => {
            if (event.detail.formsetName === PREFIX) {
                // inlines.js renames the rows right after this event: rename after it.
                setTimeout(() => {
                    renameForms();
                    renumber();
                }, 0);
            }
        });

        const kindSelect = document.getElementById('id_kind');
        if (kindSelect && kindSelect.dataset.startingChoices) {
            kindSelect.addEventListener('change', () => followKind(kindSelect));
        }
    }

    if (document.readyState === 'loading') {
        document.addEventListener('DOMContentLoaded', start);
    } else {
        start();
    }
}
