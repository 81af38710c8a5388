/**
 * Words for product names and descriptions.
 * Only data lives here; `world.ts` decides how the pieces combine. Changing
 * a list changes the seed world (and the values pinned in
 * test/seed-world.test.ts), so edit deliberately.
 */

import type { ProductCategory } from './products.js';

export const STYLE_ADJECTIVES = [
  'Classic', 'Modern', 'Everyday', 'Heritage', 'Nordic', 'Coastal', 'Alpine', 'Studio', 'Essential',
  'Minimalist', 'Vintage', 'Artisan', 'Signature', 'Original', 'Harbor', 'Summit', 'Meadow', 'Prairie',
  'Canyon', 'Juniper', 'Driftwood', 'Northfield', 'Elm Street', 'Copperline', 'Bayside', 'Ridge',
] as const;

/** Adjectives that suit every kind in one category; books get only these. */
export const CATEGORY_ADJECTIVES: Record<ProductCategory, readonly string[]> = {
  kitchen: ['Professional', 'Compact', 'Farmhouse', 'Bistro', 'Heirloom', 'Rustic', 'Small-Batch', 'Trattoria'],
  home: ['Cozy', 'Handmade', 'Oversized', 'Hand-Finished', 'Rustic', 'Scandinavian', 'Cottage', 'Loft'],
  outdoor: ['Ultralight', 'Packable', 'Rugged', 'Expedition', 'Backcountry', 'Trailhead', 'Basecamp', 'Weatherproof'],
  electronics: ['Slim', 'Compact', 'Travel', 'Pro', 'Low-Profile', 'Essential', 'Max', 'Lite'],
  books: [
    'Illustrated', 'Pocket', 'Hardcover', 'Paperback', 'Annotated', "Collector's", 'Revised', 'Complete',
    "Beginner's", 'Essential', 'Little', 'Big', 'Updated', 'Deluxe', 'Anniversary', 'Unabridged',
    'Family', "Kids'", 'Weekend', 'Seasonal',
  ],
  toys: ['Rainbow', 'Toddler', 'Deluxe', 'Mini', 'Jumbo', 'Heirloom', 'Montessori', 'Adventure'],
  clothing: ['Everyday', 'Workwear', 'Weekend', 'Heavyweight', 'Lightweight', 'Utility', 'Field', 'Traveler'],
  office: ['Compact', 'Executive', 'Ergonomic', 'Library', "Writer's", 'Home Office', 'Study', 'Workshop'],
  garden: ['Heavy-Duty', 'Compact', 'Potting Shed', 'Greenhouse', 'Allotment', 'Cottage', 'Patio', 'Backyard'],
  sports: ['Training', 'Pro', 'Competition', 'Travel', 'Performance', 'Home Gym', 'Club', 'Studio'],
};

/** First description sentence: `{item}` is the material and short noun, e.g. "walnut cutting board". */
export const DESCRIPTION_OPENERS: Record<ProductCategory, readonly string[]> = {
  kitchen: [
    'This {item} earns its spot in the kitchen.',
    'Our {item} is built for daily cooking, not for the back of the cupboard.',
    'The {item} home cooks keep asking us to restock.',
    'This {item} makes the small jobs in the kitchen a little more pleasant.',
  ],
  home: [
    'This {item} brings a quiet warmth to any room.',
    'Our {item} is made to be lived with, not just looked at.',
    'The {item} that ties a room together without shouting about it.',
    'This {item} is simple, sturdy and easy to place.',
  ],
  outdoor: [
    'This {item} goes where the trail goes.',
    'Our {item} is made for long weekends outside.',
    'The {item} that earns its place on every trip.',
    'This {item} shrugs off rain, mud and careless packing.',
  ],
  electronics: [
    'This {item} is the upgrade your setup has been waiting for.',
    'Our {item} is the accessory you stop noticing because it just works.',
    'The {item} that makes a crowded desk a little calmer.',
    'This {item} is designed for long working days and longer trips.',
  ],
  books: [
    'This {item} is the one readers lend out and never get back.',
    'Our most gifted {item}, now back in print.',
    'This {item} rewards a slow afternoon and a pot of tea.',
    'The {item} our staff keep recommending to each other.',
  ],
  toys: [
    'This {item} keeps little hands busy for hours.',
    'Our {item} is made to be played with hard and handed down.',
    'The {item} that outlasts every birthday it arrives at.',
    'This {item} grows with a child, from first play to clever games.',
  ],
  clothing: [
    'This {item} is made to last and to look better with age.',
    'Our {item} is made from materials that get better with use.',
    'The {item} you will reach for every day.',
    'This {item} is built to take years of hard wear.',
  ],
  office: [
    'This {item} brings a little order to a busy workday.',
    'Our {item} is made for long days at the desk.',
    'The {item} that makes working from home a bit easier.',
    'This {item} is practical, quiet and good to look at.',
  ],
  garden: [
    'This {item} is made for gardeners who are out in all weather.',
    'Our {item} is tough enough for the potting shed and neat enough for the patio.',
    'The {item} that makes the weekly garden round quicker.',
    'This {item} makes time in the garden more enjoyable.',
  ],
  sports: [
    'This {item} is built for training days, good and bad.',
    'Our {item} holds up to daily use at home or at the gym.',
    'The {item} that makes it easier to keep a routine.',
    'This {item} is made for steady progress, week after week.',
  ],
};

/** Later description sentences, per category; they never name the product. */
export const DESCRIPTION_DETAILS: Record<ProductCategory, readonly string[]> = {
  kitchen: [
    'Tested in our own kitchen for a full season before it reached the store.',
    'Easy to clean and built for years of daily use.',
    'Sized to suit small kitchens as well as large ones.',
    'Made in a small workshop that has supplied cooks for three generations.',
  ],
  home: [
    'Every piece is finished by hand, so no two are quite alike.',
    'It pairs well with both warm and cool color schemes.',
    'Easy to care for and made to be used every day.',
    'Designed in Portland and made by a family workshop.',
  ],
  outdoor: [
    'Field-tested on a thousand miles of trail by our own staff.',
    'Made to be carried, dropped and used again.',
    'Backed by a lifetime repair program.',
    'Built to handle freezing nights and wet mornings.',
  ],
  electronics: [
    'Covered by a two-year warranty.',
    'No app, no account, no setup beyond plugging it in.',
    'Packaged without plastic and built to outlive your current phone.',
    'Tested with the devices most of our customers own.',
  ],
  books: [
    'Printed on acid-free paper with a sewn binding that lies flat.',
    'Includes a new foreword and a full index.',
    'More than two hundred pages, with color plates throughout.',
    'A favorite of book clubs and long train journeys.',
  ],
  toys: [
    'Finished with non-toxic, water-based paints.',
    'Safety tested for ages three and up.',
    'Sized for small hands and made without sharp edges.',
    'Comes in a sturdy box that doubles as storage.',
  ],
  clothing: [
    'Reinforced where wear happens first.',
    'Made in a family-run workshop from responsibly sourced materials.',
    'Available in several colors.',
    'Designed to be repaired rather than replaced.',
  ],
  office: [
    'Sized to sit neatly beside a laptop.',
    'Built from materials that age well with daily use.',
    'Made to be repaired rather than replaced.',
    'Designed with writers, students and home offices in mind.',
  ],
  garden: [
    'Weather resistant and happy to live outdoors all year.',
    'Looks as good on the patio as it works in the beds.',
    'Made from recycled materials wherever possible.',
    'Backed by a five-year guarantee against rust and breakage.',
  ],
  sports: [
    'Built to handle sweat, knocks and daily use.',
    'Easy to store in a small apartment.',
    'Recommended by physical therapists and personal trainers.',
    'Tested for durability through thousands of repetitions.',
  ],
};

/** Last description sentences that fit any product. */
export const DESCRIPTION_CLOSERS = [
  'Ships in recyclable packaging.',
  'Free returns within sixty days.',
  'Makes a thoughtful gift.',
  'One of our best sellers this year.',
  'Stocked in limited runs, so it may sell out.',
  'Covered by our no-questions-asked repair promise.',
  'Customers often buy two.',
  'Part of our small-maker collection.',
] as const;
