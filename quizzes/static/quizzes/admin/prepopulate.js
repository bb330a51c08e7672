'use strict';
// Django's prepopulate.js fills a slug from its title on keyup, change and focus.
// Text that arrives without a keyup (pasted, autofilled, dictated, typed on a phone
// keyboard that sends only input events, or filled by a browser driver) reached
// the slug only when the title lost focus, that is on Save. Every input event on a
// field that a slug follows now runs Django's own handler (it is idempotent, so a
// typed key running it twice does no harm).
{
    document.addEventListener('input', (event) => {
        const constants = document.getElementById(
            'django-admin-prepopulated-fields-constants'
        );
        if (!constants || !window.django || !django.jQuery) {
            return;
        }
        const fields = JSON.parse(constants.dataset.prepopulatedFields || '[]');
        const source = event.target;
        const followed = fields.some(
            (field) => field.dependency_ids.some((id) => source.matches(id))
        );
        if (followed) {
            django.jQuery(source).trigger('keyup');
        }
    });
}
