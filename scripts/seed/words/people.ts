/**
 * Names and email domains for the seed world's users.
 * Only data lives here; `world.ts` decides how the pieces combine. Changing
 * a list changes the seed world (and the values pinned in
 * test/seed-world.test.ts), so edit deliberately.
 */

export const FIRST_NAMES = [
  'Amara', 'Hiroshi', 'Priya', 'Mateo', 'Sofia', 'Liam', 'Aisha', 'Chen', 'Olga', 'Kwame',
  'Isabella', 'Noah', 'Fatima', 'Diego', 'Yuki', 'Elena', 'Omar', 'Grace', 'Ravi', 'Chloé',
  'Tomasz', 'Nia', 'Lucas', 'Mei', 'Samuel', 'Zara', 'Andrei', 'Leila', 'Jamal', 'Hannah',
  'Kenji', 'Ingrid', 'Carlos', 'Anika', 'Felix', 'Imani', 'Arjun', 'Maya', 'Emeka', 'Sigrid',
  'Rafael', 'Hana', 'Jonah', 'Lucía', 'Tariq', 'Freya', 'Daniel', 'Ayumi', 'Marcus', 'Nadia',
  'Oluwaseun', 'Clara', 'Ibrahim', 'Rosa', 'Kai', 'Beatriz', 'Dmitri', 'Ava', 'Sione', 'Esther',
  'Min-jun', 'Yara', 'Patrick', 'Ana', 'Thabo', 'Margot', 'Ahmed', 'Lena', 'Hugo', 'Keiko',
  'Malik', 'Inès', 'Benjamin', 'Zainab', 'Søren', 'Julia', 'Ezra', 'Aaliyah', 'José', 'Wen',
] as const;

export const LAST_NAMES = [
  'Okafor', 'Tanaka', 'Raman', 'García', 'Nguyen', 'Kowalski', 'Mensah', 'Rossi', 'Haddad', 'Johansson',
  'Silva', 'Kim', 'Patel', 'Müller', 'Petrov', 'Cohen', "O'Brien", 'Fernández', 'Yamamoto', 'Abubakar',
  'Lindqvist', 'Moreau', 'Chowdhury', 'Santos', 'Nakamura', 'Adeyemi', 'Novak', 'Brennan', 'Castillo', 'Wong',
  'Osei', 'Schmidt', 'Dubois', 'Alvarez', 'Mahmoud', 'Larsen', 'Reyes', 'Hoang', 'Ferreira', 'Bianchi',
  'Kariuki', 'Sato', 'Walsh', 'Popescu', 'Andersen', 'Morales', 'Singh', 'Torres', 'Nowak', 'Zhang',
  'Liu', 'Park', 'Choi', 'Taylor', 'Brown', 'Williams', 'Jackson', 'Thompson', 'Clarke', 'Hughes',
  'Murphy', 'Horvat', 'Kovács', 'Papadopoulos', 'Demir', 'Yılmaz', 'Mwangi', 'Banda', 'Dlamini', 'Okonkwo',
  'Boateng', 'Duarte', 'Navarro', 'Quispe', 'Kealoha', 'Tupou', 'Begay', 'Fontaine', 'De Luca', 'Eriksen',
] as const;

/** Reserved example domains (RFC 2606): seed emails can never reach a real inbox. */
export const EMAIL_DOMAINS = ['example.com', 'example.com', 'example.com', 'example.org', 'example.net'] as const;
