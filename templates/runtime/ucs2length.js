// Length of a string in Unicode code points, as JSON Schema counts minLength and maxLength.
// The string iterator yields a surrogate pair as one item and a lone surrogate as one item.
function $ucs2length(str) {
  let length = 0;
  for (const _ of str) length++;
  return length;
}
