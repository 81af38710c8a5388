/**
 * What the seed store sells: product kinds and the materials they come in.
 * Only data lives here; `world.ts` decides how the pieces combine. Changing
 * a list changes the seed world (and the values pinned in
 * test/seed-world.test.ts), so edit deliberately.
 */

/** Materials, grouped so that each product kind only comes in materials that make sense for it. */
export const MATERIALS = {
  wood: ['Walnut', 'Oak', 'Maple', 'Cherry', 'Acacia', 'Beech', 'Ash', 'Teak', 'Bamboo'],
  steel: ['Stainless Steel', 'Carbon Steel', 'Brushed Steel'],
  cookware: ['Cast Iron', 'Carbon Steel', 'Stainless Steel', 'Copper', 'Enameled', 'Tri-Ply'],
  metal: ['Brass', 'Copper', 'Aluminum', 'Steel', 'Wrought Iron', 'Powder-Coated Steel'],
  ironwork: ['Cast Iron', 'Wrought Iron', 'Corten Steel', 'Blackened Steel'],
  galvanized: ['Galvanized Steel', 'Copper', 'Powder-Coated Steel', 'Zinc'],
  iron: ['Cast Iron', 'Rubber-Coated', 'Chrome', 'Neoprene-Coated'],
  pen: ['Brass', 'Aluminum', 'Resin', 'Ebonite', 'Titanium'],
  ceramic: ['Ceramic', 'Stoneware', 'Porcelain', 'Earthenware', 'Terracotta'],
  glass: ['Glass', 'Borosilicate Glass', 'Recycled Glass', 'Frosted Glass'],
  stone: ['Marble', 'Granite', 'Slate', 'Soapstone', 'Concrete'],
  textile: ['Cotton', 'Linen', 'Canvas', 'Hemp', 'Organic Cotton', 'Chambray'],
  towel: ['Cotton', 'Turkish Cotton', 'Linen', 'Waffle-Weave', 'Organic Cotton'],
  rug: ['Wool', 'Jute', 'Sisal', 'Cotton', 'Seagrass'],
  workwear: ['Canvas', 'Duck Canvas', 'Denim', 'Waxed Canvas', 'Corduroy'],
  bag: ['Waxed Canvas', 'Canvas', 'Leather', 'Recycled Nylon'],
  upholstery: ['Mesh', 'Leather', 'Vegan Leather', 'Boucle'],
  knit: ['Merino', 'Wool', 'Cashmere', 'Alpaca', 'Fleece', 'Lambswool'],
  leather: ['Leather', 'Suede', 'Vegan Leather', 'Waxed Canvas', 'Full-Grain Leather'],
  woven: ['Seagrass', 'Rattan', 'Jute', 'Willow', 'Wicker', 'Coir'],
  technical: ['Nylon', 'Ripstop', 'Recycled Polyester', 'Ripstop Nylon'],
  shell: ['Softshell', 'Waxed Cotton', 'Three-Layer', 'Recycled Nylon'],
  insulated: ['Down', 'Synthetic', 'Recycled Down', '800-Fill Down'],
  outdoorMetal: ['Titanium', 'Aluminum', 'Stainless Steel'],
  frame: ['Carbon Fiber', 'Aluminum', 'Titanium', 'Steel'],
  racket: ['Graphite', 'Carbon Fiber', 'Aluminum'],
  cable: ['Braided', 'Nylon-Braided', 'Silicone', 'Tangle-Free'],
  gadgetShell: ['Silicone', 'Recycled Plastic', 'Clear', 'Matte Black'],
  alloy: ['Aluminum', 'Anodized Aluminum', 'Matte Black', 'Space Gray'],
  felt: ['Felt', 'Wool Felt', 'Cork'],
  toyWood: ['Wooden', 'Beech', 'Maple', 'Birch'],
  toySoft: ['Plush', 'Organic Cotton', 'Felt', 'Knitted'],
  paper: ['Kraft', 'Linen-Bound', 'Leather-Bound', 'Recycled Paper'],
  rubber: ['Natural Rubber', 'Cork', 'Recycled Rubber'],
  boot: ['Natural Rubber', 'Recycled Rubber', 'Neoprene-Lined'],
} as const;

export type MaterialGroup = keyof typeof MATERIALS;

export type ProductCategory =
  | 'kitchen' | 'home' | 'outdoor' | 'electronics' | 'books' | 'toys' | 'clothing' | 'office' | 'garden' | 'sports';

/**
 * What the store sells. `short` (after `unit`, if any) is how a shopper would name it in a sentence;
 * `grams` and `cents` are the plausible ranges for one unit.
 */
export type ProductKind = {
  noun: string;
  short: string;
  /** How a sentence counts things sold in pairs or sets: "this pair of gloves". */
  unit?: 'pair of' | 'set of';
  category: ProductCategory;
  materials: readonly MaterialGroup[];
  grams: readonly [number, number];
  cents: readonly [number, number];
};

type KindRow = readonly [
  noun: string,
  short: string,
  materials: readonly MaterialGroup[],
  minGrams: number,
  maxGrams: number,
  minCents: number,
  maxCents: number,
  unit?: ProductKind['unit'],
];

function kinds(category: ProductCategory, rows: readonly KindRow[]): ProductKind[] {
  return rows.map(([noun, short, materials, minGrams, maxGrams, minCents, maxCents, unit]) => ({
    noun,
    short,
    ...(unit === undefined ? {} : { unit }),
    category,
    materials,
    grams: [minGrams, maxGrams],
    cents: [minCents, maxCents],
  }));
}

export const PRODUCT_KINDS: readonly ProductKind[] = [
  ...kinds('kitchen', [
    ['Pour-Over Coffee Stand', 'coffee stand', ['wood', 'metal'], 400, 1500, 1999, 6999],
    ["Chef's Knife", 'knife', ['steel'], 150, 320, 2999, 19999],
    ['Cutting Board', 'cutting board', ['wood'], 800, 3000, 1999, 8999],
    ['Dutch Oven', 'dutch oven', ['cookware'], 3000, 7000, 4999, 39999],
    ['Skillet', 'skillet', ['cookware'], 1000, 3500, 2499, 14999],
    ['Saucepan', 'saucepan', ['cookware'], 800, 2200, 1999, 12999],
    ['Mixing Bowl Set', 'mixing bowls', ['steel', 'ceramic', 'glass'], 800, 3000, 1499, 5999, 'set of'],
    ['French Press', 'french press', ['glass', 'steel'], 500, 1200, 1999, 7999],
    ['Tea Kettle', 'kettle', ['steel', 'cookware'], 700, 1800, 2499, 9999],
    ['Salad Servers', 'salad servers', ['wood'], 100, 300, 999, 3999, 'pair of'],
    ['Spice Rack', 'spice rack', ['wood', 'metal'], 500, 2500, 1499, 5999],
    ['Mortar and Pestle', 'mortar and pestle', ['stone', 'ceramic'], 800, 3000, 1499, 4999],
    ['Coffee Mug', 'mug', ['ceramic', 'glass'], 250, 500, 799, 2999],
    ['Dinner Plate Set', 'plates', ['ceramic'], 2000, 6000, 2999, 12999, 'set of'],
    ['Measuring Spoons', 'measuring spoons', ['steel', 'wood'], 60, 200, 499, 2499, 'set of'],
    ['Utensil Crock', 'utensil crock', ['ceramic', 'wood'], 600, 2000, 1299, 4499],
    ['Bread Box', 'bread box', ['wood', 'metal'], 1500, 4000, 2999, 8999],
    ['Espresso Machine', 'espresso machine', ['steel'], 5000, 14000, 19999, 249999],
    ['Cake Stand', 'cake stand', ['glass', 'ceramic', 'wood'], 800, 2500, 1999, 6999],
    ['Tea Towel Set', 'tea towels', ['towel'], 150, 400, 999, 3499, 'set of'],
  ]),
  ...kinds('home', [
    ['Throw Blanket', 'blanket', ['knit', 'textile'], 800, 2500, 2999, 19999],
    ['Table Lamp', 'lamp', ['ceramic', 'metal', 'wood'], 1200, 4000, 3999, 24999],
    ['Wall Clock', 'clock', ['wood', 'metal'], 500, 2000, 1999, 8999],
    ['Candle Holder', 'candle holder', ['metal', 'glass', 'ceramic'], 150, 900, 999, 3999],
    ['Picture Frame', 'frame', ['wood', 'metal'], 200, 1200, 999, 4999],
    ['Bath Towel Set', 'towels', ['towel'], 1000, 3000, 2499, 9999, 'set of'],
    ['Storage Basket', 'basket', ['woven', 'felt'], 300, 1500, 1499, 5999],
    ['Floor Cushion', 'cushion', ['textile', 'knit'], 1000, 3000, 2999, 8999],
    ['Doormat', 'doormat', ['woven', 'rubber'], 800, 2500, 1499, 4999],
    ['Vase', 'vase', ['ceramic', 'glass'], 300, 2500, 1299, 8999],
    ['Bookshelf', 'bookshelf', ['wood', 'metal'], 8000, 25000, 7999, 59999],
    ['Side Table', 'side table', ['wood', 'metal', 'stone'], 3000, 12000, 4999, 39999],
    ['Coat Rack', 'coat rack', ['wood', 'metal'], 2000, 6000, 2999, 12999],
    ['Area Rug', 'rug', ['rug'], 2000, 12000, 4999, 99999],
  ]),
  ...kinds('outdoor', [
    ['Camping Tent', 'tent', ['technical'], 1500, 6000, 9999, 69999],
    ['Sleeping Bag', 'sleeping bag', ['insulated', 'technical'], 800, 2500, 5999, 39999],
    ['Hiking Backpack', 'backpack', ['technical', 'bag'], 700, 2200, 4999, 29999],
    ['Camp Stove', 'stove', ['outdoorMetal'], 300, 2500, 2999, 14999],
    ['Headlamp', 'headlamp', ['outdoorMetal'], 50, 200, 1499, 6999],
    ['Insulated Water Bottle', 'water bottle', ['outdoorMetal'], 250, 600, 1499, 4999],
    ['Camp Mug', 'camp mug', ['outdoorMetal'], 80, 350, 999, 3499],
    ['Folding Camp Chair', 'camp chair', ['technical', 'outdoorMetal'], 1000, 4500, 2999, 14999],
    ['Hammock', 'hammock', ['technical', 'textile'], 400, 1500, 2499, 9999],
    ['Trekking Poles', 'trekking poles', ['frame'], 300, 700, 3999, 17999, 'pair of'],
    ['Cooler', 'cooler', [], 3000, 12000, 4999, 39999],
    ['Picnic Blanket', 'picnic blanket', ['textile', 'technical'], 600, 2000, 1999, 7999],
    ['Kayak Paddle', 'paddle', ['frame', 'wood'], 700, 1300, 5999, 29999],
    ['Binoculars', 'binoculars', [], 400, 1000, 4999, 49999, 'pair of'],
  ]),
  ...kinds('electronics', [
    ['USB-C Charging Cable', 'cable', ['cable'], 30, 120, 799, 2999],
    ['Phone Case', 'phone case', ['gadgetShell', 'leather'], 25, 80, 999, 4999],
    ['Laptop Stand', 'laptop stand', ['alloy', 'wood'], 500, 2000, 2499, 9999],
    ['Wireless Charger', 'charger', ['alloy', 'wood'], 80, 300, 1999, 6999],
    ['Wireless Earbuds', 'earbuds', [], 40, 120, 2999, 24999, 'pair of'],
    ['Over-Ear Headphones', 'headphones', [], 200, 450, 4999, 39999, 'pair of'],
    ['Portable Speaker', 'speaker', ['alloy', 'wood'], 300, 1500, 2999, 19999],
    ['Power Bank', 'power bank', ['alloy', 'gadgetShell'], 150, 500, 1999, 8999],
    ['Mechanical Keyboard', 'keyboard', ['alloy', 'wood'], 500, 1200, 3999, 24999],
    ['Wireless Mouse', 'mouse', [], 60, 150, 1499, 9999],
    ['Monitor Arm', 'monitor arm', ['alloy'], 2000, 6000, 4999, 19999],
    ['Cable Organizer', 'cable organizer', ['leather', 'felt'], 50, 300, 799, 2999],
    ['Webcam', 'webcam', [], 100, 300, 3999, 19999],
    ['Tablet Sleeve', 'sleeve', ['felt', 'leather'], 150, 400, 1499, 5999],
    ['Smart Plug', 'smart plug', [], 50, 150, 999, 3999],
    ['USB Hub', 'hub', ['alloy'], 60, 200, 1999, 7999],
  ]),
  ...kinds('books', [
    ['Cookbook', 'cookbook', [], 600, 1600, 1499, 4999],
    ['Birdwatching Field Guide', 'field guide', [], 300, 800, 1299, 3499],
    ['Mystery Novel', 'novel', [], 300, 700, 999, 2999],
    ['Poetry Collection', 'poetry collection', [], 150, 400, 999, 2499],
    ['Road Atlas', 'atlas', [], 600, 1500, 1499, 3999],
    ['Picture Book', 'picture book', [], 200, 600, 799, 2499],
    ['Sourdough Baking Handbook', 'handbook', [], 500, 1100, 1999, 3999],
    ['Trail Guide', 'trail guide', [], 200, 500, 1499, 2999],
    ['Coloring Book', 'coloring book', [], 150, 400, 499, 1499],
    ['Graphic Novel', 'graphic novel', [], 400, 1000, 1499, 3999],
    ['World History Primer', 'history primer', [], 600, 1400, 1999, 4999],
    ['Stargazing Guide', 'stargazing guide', [], 300, 800, 1499, 3499],
    ['Science Fiction Anthology', 'anthology', [], 400, 900, 1299, 2999],
    ['Gardening Almanac', 'almanac', [], 400, 900, 999, 2499],
  ]),
  ...kinds('toys', [
    ['Building Block Set', 'block set', ['toyWood'], 500, 2500, 1999, 9999],
    ['Train Set', 'train set', ['toyWood'], 800, 3000, 2999, 12999],
    ['Teddy Bear', 'teddy bear', ['toySoft'], 150, 600, 1499, 4999],
    ['Jigsaw Puzzle', 'puzzle', [], 300, 1200, 1299, 3999],
    ['Board Game', 'board game', [], 600, 2000, 1999, 5999],
    ['Kite', 'kite', ['technical'], 150, 500, 1499, 4999],
    ['Stacking Rings', 'stacking rings', ['toyWood', 'toySoft'], 200, 600, 999, 2999, 'set of'],
    ['Marble Run', 'marble run', ['toyWood'], 800, 3000, 2499, 8999],
    ['Play Kitchen', 'play kitchen', ['toyWood'], 6000, 18000, 7999, 24999],
    ['Dollhouse', 'dollhouse', ['toyWood'], 4000, 15000, 5999, 24999],
    ['Yo-Yo', 'yo-yo', ['toyWood'], 40, 100, 499, 2499],
    ['Rocking Horse', 'rocking horse', ['toyWood'], 5000, 15000, 7999, 29999],
    ['Card Game', 'card game', [], 100, 300, 799, 1999],
    ['Hand Puppet', 'puppet', ['toySoft'], 80, 250, 999, 2499],
  ]),
  ...kinds('clothing', [
    ['Crewneck Sweater', 'sweater', ['knit'], 300, 800, 3999, 19999],
    ['Rain Jacket', 'rain jacket', ['shell'], 300, 700, 5999, 24999],
    ['Beanie', 'beanie', ['knit'], 60, 150, 1499, 4999],
    ['Scarf', 'scarf', ['knit', 'textile'], 100, 400, 1999, 12999],
    ['Hiking Socks', 'socks', ['knit'], 50, 120, 999, 2999, 'pair of'],
    ['Oxford Shirt', 'shirt', ['textile'], 200, 400, 2999, 8999],
    ['Chore Coat', 'chore coat', ['workwear'], 900, 1800, 7999, 24999],
    ['Work Gloves', 'gloves', ['leather'], 100, 300, 1499, 4999, 'pair of'],
    ['Belt', 'belt', ['leather'], 100, 250, 1999, 7999],
    ['Tote Bag', 'tote bag', ['bag', 'textile'], 200, 800, 1499, 9999],
    ['Baseball Cap', 'cap', ['textile'], 60, 150, 1499, 3999],
    ['Rain Boots', 'boots', ['boot'], 1200, 2500, 4999, 14999, 'pair of'],
    ['Hoodie', 'hoodie', ['knit', 'textile'], 400, 900, 3999, 9999],
    ['Apron', 'apron', ['textile', 'leather'], 200, 500, 1999, 6999],
    ['Wallet', 'wallet', ['leather'], 50, 150, 1999, 9999],
  ]),
  ...kinds('office', [
    ['Dot-Grid Notebook', 'notebook', ['paper'], 150, 500, 699, 3499],
    ['Fountain Pen', 'pen', ['pen'], 20, 60, 1999, 24999],
    ['Desk Organizer', 'desk organizer', ['wood', 'felt', 'leather'], 300, 1500, 1499, 5999],
    ['Desk Mat', 'desk mat', ['felt', 'leather'], 300, 1200, 1999, 6999],
    ['Standing Desk', 'standing desk', ['wood'], 18000, 25000, 24999, 119999],
    ['Desk Lamp', 'desk lamp', ['metal'], 800, 2500, 2999, 14999],
    ['Bookends', 'bookends', ['metal', 'stone', 'wood'], 500, 2500, 1499, 4999, 'pair of'],
    ['Paper Tray', 'paper tray', ['wood', 'metal'], 300, 1200, 1299, 3999],
    ['Pencil Set', 'pencils', [], 50, 200, 499, 1999, 'set of'],
    ['Wall Calendar', 'calendar', [], 200, 500, 999, 2499],
    ['Office Chair', 'office chair', ['upholstery'], 12000, 22000, 14999, 99999],
  ]),
  ...kinds('garden', [
    ['Planter', 'planter', ['ceramic', 'stone', 'galvanized'], 500, 8000, 1299, 8999],
    ['Watering Can', 'watering can', ['galvanized'], 400, 1500, 1499, 5999],
    ['Pruning Shears', 'shears', ['steel'], 150, 350, 1499, 5999, 'pair of'],
    ['Garden Trowel', 'trowel', ['steel'], 150, 400, 999, 3499],
    ['Raised Garden Bed', 'garden bed', ['wood', 'galvanized'], 8000, 25000, 7999, 29999],
    ['Bird Feeder', 'bird feeder', ['wood', 'metal', 'glass'], 300, 1500, 1499, 5999],
    ['Hose Reel', 'hose reel', ['galvanized'], 3000, 9000, 3999, 14999],
    ['Kneeling Pad', 'kneeling pad', ['rubber'], 200, 500, 999, 2999],
    ['Seed Starter Kit', 'seed kit', [], 300, 1500, 999, 3999],
    ['Garden Gloves', 'gloves', ['leather', 'textile'], 80, 200, 999, 2999, 'pair of'],
    ['Fire Pit', 'fire pit', ['ironwork', 'stone'], 8000, 25000, 9999, 59999],
    ['Wheelbarrow', 'wheelbarrow', [], 12000, 20000, 7999, 19999],
  ]),
  ...kinds('sports', [
    ['Yoga Mat', 'yoga mat', ['rubber'], 900, 2500, 2499, 11999],
    ['Dumbbell Set', 'dumbbells', ['iron'], 4000, 25000, 3999, 29999, 'set of'],
    ['Jump Rope', 'jump rope', [], 100, 350, 999, 3499],
    ['Foam Roller', 'foam roller', [], 300, 900, 1499, 4999],
    ['Resistance Band Set', 'resistance bands', [], 200, 600, 999, 3999, 'set of'],
    ['Tennis Racket', 'racket', ['racket'], 250, 350, 2999, 24999],
    ['Basketball', 'basketball', [], 550, 650, 1999, 9999],
    ['Bike Helmet', 'helmet', [], 250, 500, 3999, 19999],
    ['Road Bike', 'bike', ['frame'], 7000, 11000, 49999, 249999],
    ['Kettlebell', 'kettlebell', ['iron'], 4000, 24000, 2999, 14999],
  ]),
];

/** Adjectives that suit anything physical: they read like product lines. */
