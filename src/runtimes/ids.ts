// The runtime ids live with the rest of the vocabulary (src/schemas/vocabulary.ts).
export { RUNTIME_IDS, type RuntimeId } from '../schemas/vocabulary.js'
