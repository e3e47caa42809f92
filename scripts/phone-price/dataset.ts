/**
 * Kaggle's "Mobile Price Classification" (and the synthetic data/phone-price.csv with its schema): the target column,
 * and the names the dataset gives its classes 0–3, which a bundle's labels carry to API answers and the page.
 */
export const PRICE_TARGET = 'price_range';
export const PRICE_LABELS: readonly string[] = ['low cost', 'medium cost', 'high cost', 'very high cost'];
