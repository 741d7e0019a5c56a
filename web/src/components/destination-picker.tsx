// Choose destinations by checkbox: the request wizard's "Destinations" step and the detail page's "Deploy" form.
import type { Destination } from '../lib/types.ts';

interface Props {
  legend: string;
  destinations: Destination[];
  chosen: number[];
  onChange: (ids: number[]) => void;
}

export function DestinationPicker({ legend, destinations, chosen, onChange }: Props) {
  return (
    <fieldset>
      <legend>{legend}</legend>
      {destinations.length === 0 && (
        <p className="hint">
          No destinations yet: an admin creates them on the <a href="#/destinations">Destinations</a> page.
        </p>
      )}
      {destinations.map((d) => (
        <label key={d.id} className="check">
          <input
            type="checkbox"
            checked={chosen.includes(d.id)}
            onChange={(e) => onChange(e.target.checked ? [...chosen, d.id] : chosen.filter((x) => x !== d.id))}
          />{' '}
          {d.name} <small className="hint">({d.plugin})</small>
        </label>
      ))}
    </fieldset>
  );
}
